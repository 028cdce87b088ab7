// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.VirtBackupException;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.QmpCommand;
import org.virtbackup.qemu.qmp.QmpEventListener;
import org.virtbackup.qemu.qmp.QmpException;
import org.virtbackup.qemu.qmp.QmpRunState;
import org.virtbackup.qemu.testing.FakeQmpServer;
import org.virtbackup.qemu.testing.QmpResponse;

/**
 * Issue 7, fuzzed input at unit level: malformed replies and events from {@link FakeQmpServer} (wrong types for
 * id, return, error and event fields, garbage, truncated and huge lines, deep nesting, unknown and duplicate
 * ids, interleaved events, hang-ups), and malformed greetings, invalid UTF-8 and mid-line hang-ups from a
 * {@link RawQmpPeer}. Every call returns or throws a {@link QmpException} that maps to a
 * {@link VirtBackupException}; nothing hangs; no reader thread and no socket outlives the channel.
 * {@code -Dvirtbackup.fuzz.qmp.cases=N} (default {@value #DEFAULT_CASES} reply cases per build, 1000 for the full run; plus a quarter as many
 * greeting cases), {@code -Dvirtbackup.fuzz.seed=S}.
 */
class QmpFuzzTest {
    static final int DEFAULT_CASES = 200;
    private static final int BATCH = 100;
    static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
            + "\"package\": \"fuzz\"}, \"capabilities\": [\"oob\"]}}\r\n";

    @TempDir
    Path dir;

    private final Map<String, String> findings = new LinkedHashMap<>();
    private final Map<String, Integer> outcomes = new TreeMap<>();

    @Test
    void malformedRepliesGreetingsAndEventsEndInQmpExceptionsWithoutHangsOrLeaks() {
        int cases = Integer.getInteger("virtbackup.fuzz.qmp.cases", DEFAULT_CASES);
        long seed = Long.getLong("virtbackup.fuzz.seed", 7L);
        int before = readerThreads("");
        long started = System.nanoTime();
        int rawCases = cases / 4;
        for (int from = 0; from < cases + rawCases; from += BATCH) {
            int start = from;
            int end = Math.min(cases + rawCases, from + BATCH);
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = start; i < end; i++) {
                    Random r = new Random(seed * 1_000_003L + i);
                    long t0 = System.nanoTime();
                    if (i < cases) {
                        replyCase(i, r);
                    } else {
                        RawCases.run(this, dir.resolve("r" + i + ".sock"), i, r);
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (ms > 400) {
                        System.out.println("slow qmp fuzz case " + i + ": " + ms + " ms");
                    }
                }
            }, () -> "qmp fuzz cases " + start + ".." + (end - 1) + " (seed " + seed + ") did not finish in 60 s");
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("qmp fuzz: %d reply cases + %d greeting/raw cases, seed %d, %d ms, %d distinct problems%n",
                cases, rawCases, seed, millis, findings.size());
        outcomes.forEach((k, v) -> System.out.printf("  %-60s %d%n", k, v));
        if (readerThreads("") > before) {
            problem("leak", "threads", null, readerThreads("") - before + " qmp-reader threads outlived their channels");
        }
        if (!findings.isEmpty()) {
            fail(findings.size() + " distinct problems:\n" + String.join("\n\n", findings.values()));
        }
    }

    private void replyCase(int index, Random r) throws IOException {
        Path sock = dir.resolve("f" + index + ".sock");
        List<String> log = new ArrayList<>();
        List<String> lines = QmpLines.lines(r, log);
        int ending = r.nextInt(10); // 0: hang up instead of replying, 1: error reply, 2: events around, else ok
        AtomicReference<FakeQmpServer> self = new AtomicReference<>();
        FakeQmpServer.Dispatcher dispatcher = (command, args) -> {
            if (!command.equals("query-fuzz")) {
                return QmpResponse.ok();
            }
            List<com.fasterxml.jackson.databind.node.ObjectNode> got = self.get().received();
            String id = got.get(got.size() - 1).path("id").asText();
            lines.forEach(l -> self.get().sendRaw(l.replace(QmpLines.ID, id)));
            if (ending == 0) {
                return QmpResponse.ok().thenHangUp();
            }
            QmpResponse reply = ending == 1 ? QmpResponse.error("GenericError", "fuzz") : QmpResponse.ok();
            return ending == 2 ? reply.withEventBefore("JOB_STATUS_CHANGE", null).withEventAfter("SHUTDOWN", null)
                    : reply;
        };
        try (FakeQmpServer server = FakeQmpServer.start(sock, dispatcher)) {
            self.set(server);
            QmpChannel channel = QmpChannel.unix(sock, Duration.ofSeconds(2), Duration.ofSeconds(5));
            try {
                exercise(channel, index, log, r);
            } finally {
                close(channel, index, log);
            }
        }
        checkReaderGone(sock, index, log);
    }

    /** connect, listen, the fuzzed call, a follow-up call; records outcomes and problems. */
    void exercise(QmpChannel channel, int index, List<String> log, Random r) {
        if (!attempt("connect", index, log, channel::connect)) {
            return;
        }
        QmpEventListener listener = channel.state() == QmpRunState.CLOSED ? null : channel.listen(java.util.Set.of(),
                r.nextBoolean() ? null : d -> d.path("status").asText().equals("concluded"));
        attempt("execute", index, log, () -> channel.execute(QmpCommand.of("query-fuzz")));
        attempt("follow-up", index, log, () -> channel.execute(QmpCommand.of("query-status"), channel.commandTimeout()));
        if (listener != null) {
            attempt("events", index, log, () -> {
                listener.drain().forEach(e -> e.dataText("status"));
                return listener.poll(Duration.ZERO);
            });
            listener.close();
        }
    }

    void close(QmpChannel channel, int index, List<String> log) {
        attempt("close", index, log, () -> {
            channel.close();
            return null;
        });
    }

    void checkReaderGone(Path sock, int index, List<String> log) {
        if (readerThreads(sock.getFileName().toString()) > 0) {
            problem("case " + index, "reader thread alive after close", null, String.valueOf(log));
        }
    }

    private interface Call {
        Object run();
    }

    /** Runs one call; returns false when it failed. */
    private boolean attempt(String what, int index, List<String> log, Call call) {
        try {
            call.run();
            outcomes.merge(what + " ok", 1, Integer::sum);
            return true;
        } catch (QmpException e) {
            VirtBackupException v = e.toVirtBackupException();
            outcomes.merge(what + " " + e.getClass().getSimpleName() + " -> " + v.code(), 1, Integer::sum);
            if (v.code() == null || v.getCause() != e) {
                problem(what, "bad mapping", e, "case " + index + " " + log);
            }
        } catch (RuntimeException | Error e) {
            outcomes.merge(what + " " + e.getClass().getSimpleName(), 1, Integer::sum);
            problem(what, "non-QmpException", e, "case " + index + " " + log);
        }
        return false;
    }

    void problem(String what, String kind, Throwable e, String detail) {
        String where = e == null || e.getStackTrace().length == 0 ? "" : " at " + e.getStackTrace()[0];
        String key = what + " " + kind + (e == null ? "" : " " + e.getClass().getName()) + where;
        findings.putIfAbsent(key, key + "\n  " + QmpLines.abbreviate(detail) + (e == null ? "" : "\n  " + e));
    }

    /** Live channel reader threads whose name contains {@code socketName}. */
    static int readerThreads(String socketName) {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("qmp-reader ")
                        && (socketName.isEmpty() || t.getName().equals("qmp-reader " + socketName)))
                .count();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
