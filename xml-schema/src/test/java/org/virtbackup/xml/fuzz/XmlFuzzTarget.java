// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.fuzz;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.xml.BackupAligner;
import org.virtbackup.xml.BackupXml;
import org.virtbackup.xml.CheckpointAligner;
import org.virtbackup.xml.CheckpointXml;
import org.virtbackup.xml.DomainXml;
import org.virtbackup.xml.XmlKind;
import org.virtbackup.xml.XmlValidator;
import org.virtbackup.xml.model.BackupDef;
import org.virtbackup.xml.model.CheckpointDef;
import org.virtbackup.xml.model.DomainDef;

/**
 * Runs one document through every public entry point of the XML layer and records what is not allowed: an
 * exception other than {@link VirtBackupException}, a code outside the documented ones, a round trip that is
 * not stable, formatted output that does not parse again, or the canary's content in any output.
 */
final class XmlFuzzTarget {
    /** The codes the parse entry points document. */
    static final Set<ErrorCode> PARSE_CODES = EnumSet.of(ErrorCode.XML_ERROR, ErrorCode.XML_DETAIL,
            ErrorCode.XML_INVALID_SCHEMA, ErrorCode.CONFIG_UNSUPPORTED, ErrorCode.INVALID_ARG,
            ErrorCode.OPERATION_UNSUPPORTED);
    /** parseInternal and parseRedefine also document INTERNAL_ERROR (missing state, missing creationTime). */
    static final Set<ErrorCode> INTERNAL_FORM_CODES = union(PARSE_CODES, EnumSet.of(ErrorCode.INTERNAL_ERROR));
    /** The aligners: CONFIG_UNSUPPORTED rejections, OPERATION_UNSUPPORTED, INVALID_ARG. */
    static final Set<ErrorCode> ALIGN_CODES = PARSE_CODES;

    /** Something a case did that it must not. */
    record Problem(String entry, String kind, Throwable error, String detail) {
        /** Groups equal problems: entry, kind, exception class and the frame that threw. */
        String key() {
            String where = "";
            if (error != null && error.getStackTrace().length > 0) {
                where = " at " + error.getStackTrace()[0];
            }
            return entry + " " + kind + (error == null ? "" : " " + error.getClass().getName()) + where;
        }
    }

    private final DomainDef domain;
    private final BackupDef backup;
    private final CheckpointDef checkpoint;
    private final String canary;
    private final Map<String, Integer> outcomes = new TreeMap<>();

    XmlFuzzTarget(DomainDef domain, BackupDef backup, CheckpointDef checkpoint, String canaryContent) {
        this.domain = domain;
        this.backup = backup;
        this.checkpoint = checkpoint;
        this.canary = canaryContent;
    }

    /** How often each entry point succeeded or failed with each code. */
    Map<String, Integer> outcomes() {
        return outcomes;
    }

    /** Runs {@code xml} through everything; returns the first problem, or null. */
    Problem run(String xml) {
        Problem p = backup(xml, "BackupXml.parse", BackupXml::parse, BackupXml::format, false);
        p = p != null ? p : backup(xml, "BackupXml.parseInternal", BackupXml::parseInternal, BackupXml::formatInternal,
                true);
        p = p != null ? p : checkpoint(xml, "CheckpointXml.parse", CheckpointXml::parse, false);
        p = p != null ? p : checkpoint(xml, "CheckpointXml.parseRedefine", CheckpointXml::parseRedefine, true);
        p = p != null ? p : domain(xml);
        for (XmlKind kind : XmlKind.values()) {
            p = p != null ? p : call("XmlValidator.validate(" + kind + ")", PARSE_CODES, () -> {
                XmlValidator.validate(kind, xml);
                return "";
            }).problem;
        }
        return p;
    }

    private Problem backup(String xml, String entry, Function<String, BackupDef> parse,
                           Function<BackupDef, String> format, boolean internal) {
        Result<BackupDef> r = call(entry, internal ? INTERNAL_FORM_CODES : PARSE_CODES, () -> parse.apply(xml));
        if (r.value == null) {
            return r.problem;
        }
        Problem p = roundTrip(entry, r.value, parse, format);
        if (p != null || internal) {
            return p;
        }
        Result<BackupDef> aligned = call("BackupAligner.align", ALIGN_CODES,
                () -> BackupAligner.align(r.value, domain, "fuzz"));
        if (aligned.value == null) {
            return aligned.problem;
        }
        // the aligned definition is the public form virtbackup prints (dry run, backup-dumpxml): it must parse
        return roundTrip("BackupAligner.align+format", aligned.value, BackupXml::parse, BackupXml::format);
    }

    private Problem checkpoint(String xml, String entry, Function<String, CheckpointDef> parse, boolean redefine) {
        Result<CheckpointDef> r = call(entry, redefine ? INTERNAL_FORM_CODES : PARSE_CODES, () -> parse.apply(xml));
        if (r.value == null) {
            return r.problem;
        }
        Problem p = roundTrip(entry, r.value, parse, d -> CheckpointXml.format(d, true, false, true));
        if (p != null) {
            return p;
        }
        return call(redefine ? "CheckpointAligner.alignRedefine" : "CheckpointAligner.align", ALIGN_CODES,
                () -> redefine ? CheckpointAligner.alignRedefine(r.value) : CheckpointAligner.align(
                        CheckpointXml.postParse(r.value, 1_700_000_000L), domain))
                .problem;
    }

    private Problem domain(String xml) {
        Result<DomainDef> r = call("DomainXml.parse", PARSE_CODES, () -> DomainXml.parse(xml));
        if (r.value == null) {
            return r.problem;
        }
        Problem p = call("BackupAligner.align(domain)", ALIGN_CODES,
                () -> BackupAligner.align(backup, r.value, "fuzz")).problem;
        return p != null ? p : call("CheckpointAligner.align(domain)", ALIGN_CODES,
                () -> CheckpointAligner.align(checkpoint, r.value)).problem;
    }

    /** format(parse(format(x))) must equal format(x), and the formatted text must parse. */
    private <T> Problem roundTrip(String entry, T def, Function<String, T> parse, Function<T, String> format) {
        String first;
        try {
            first = format.apply(def);
            if (first.contains(canary)) {
                return new Problem(entry, "canary content in output", null, first);
            }
            String second = format.apply(parse.apply(first));
            if (!first.equals(second)) {
                return new Problem(entry, "unstable round trip", null, "first:\n" + first + "\nsecond:\n" + second);
            }
            return null;
        } catch (VirtBackupException e) {
            return new Problem(entry, "formatted output does not parse again: " + e.code(), e, e.getMessage());
        } catch (RuntimeException | StackOverflowError e) {
            return new Problem(entry, "round trip threw", e, String.valueOf(e.getMessage()));
        }
    }

    private static final class Result<T> {
        T value;
        Problem problem;
    }

    private interface Call<T> {
        T run();
    }

    private <T> Result<T> call(String entry, Set<ErrorCode> allowed, Call<T> call) {
        Result<T> r = new Result<>();
        try {
            r.value = call.run();
            count(entry + " ok");
        } catch (VirtBackupException e) {
            count(entry + " " + e.code());
            if (e.code() == null || !allowed.contains(e.code())) {
                r.problem = new Problem(entry, "undocumented code " + e.code(), e, e.getMessage());
            } else if (String.valueOf(e.getMessage()).contains(canary)) {
                r.problem = new Problem(entry, "canary content in message", e, e.getMessage());
            }
        } catch (RuntimeException | StackOverflowError e) {
            count(entry + " " + e.getClass().getSimpleName());
            r.problem = new Problem(entry, "non-VirtBackupException", e, String.valueOf(e.getMessage()));
        }
        return r;
    }

    private void count(String key) {
        outcomes.merge(key, 1, Integer::sum);
    }

    private static Set<ErrorCode> union(Set<ErrorCode> a, Set<ErrorCode> b) {
        EnumSet<ErrorCode> u = EnumSet.copyOf(a);
        u.addAll(b);
        return u;
    }
}
