// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Malformed QMP lines: replies and events with fields of the wrong type, unknown and duplicate ids, garbage,
 * truncated JSON, non-object JSON, huge lines and deep nesting. {@code ${id}} in a line stands for the id of
 * the command being answered.
 */
final class QmpLines {
    static final String ID = "${id}";
    private static final String[] ID_VALUES = {
        "\"${id}\"", "\"vb-999999\"", "\"\"", "null", "0", "-1", "1e400", "true", "[]", "{}", "[\"${id}\"]",
        "{\"id\":\"${id}\"}", "\"${id} \"", "\"\\u0000\"", "123456789012345678901234567890",
    };
    private static final String[] VALUES = {
        "{}", "[]", "null", "true", "0", "-0.0", "1e400", "\"text\"", "\"\"", "[{}]", "{\"\":null}",
        "99999999999999999999999999", "\"\\ud800\"", "\"\\u0000\"", "{\"class\":5,\"desc\":[]}",
        "{\"class\":\"GenericError\"}", "{\"desc\":\"x\"}", "{\"class\":null,\"desc\":null}",
        "{\"class\":\"GenericError\",\"desc\":\"fuzz\"}",
    };
    private static final String[] GARBAGE = {
        "", " ", "\t", "garbage", "}{", "{", "}", "[", "{\"return\"", "{\"return\":{}", "{\"id\":", "{'return':{}}",
        "{\"return\":{},}", "{return:{}}", "null", "true", "42", "\"string\"", "[1,2,3]", "{}", "{\"QMP\":{}}",
        "{\"return\":{}}{\"return\":{}}", "\u0000\u0000", "\uFEFF{\"return\":{}}", "\u00ff\u00fe", "/* c */ {}",
        "{\"return\":{},\"return\":[]}", "NaN", "{\"event\":null}", "{\"event\":\"X\",\"timestamp\":\"now\"}",
    };

    private QmpLines() {
    }

    /** One to six lines sent before the real reply, for case {@code r}; the choice is logged. */
    static List<String> lines(Random r, List<String> log) {
        int n = 1 + r.nextInt(6);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String line = line(r);
            log.add(abbreviate(line));
            out.add(line);
        }
        return out;
    }

    private static String line(Random r) {
        switch (r.nextInt(12)) {
            case 0: return reply(r);
            case 1: return errorReply(r);
            case 2: return event(r);
            case 3: return GARBAGE[r.nextInt(GARBAGE.length)];
            case 4: {
                String whole = r.nextBoolean() ? reply(r) : event(r);
                return whole.substring(0, r.nextInt(whole.length()));
            }
            case 5: return huge(r);
            case 6: return nested(r);
            case 7: return "{\"return\":{},\"id\":\"" + ID + "\"}"; // a duplicate of the real reply's id
            case 8: return binaryish(r);
            case 9: return "{\"timestamp\":{\"seconds\":1,\"microseconds\":2},\"event\":\"JOB_STATUS_CHANGE\","
                    + "\"data\":{\"id\":" + pick(r, VALUES) + ",\"status\":" + pick(r, VALUES) + "}}";
            case 10: return "{\"error\":" + pick(r, VALUES) + "}"; // no id: QEMU's "could not parse" reply
            default: return "{\"return\":" + pick(r, VALUES) + ",\"error\":" + pick(r, VALUES) + ",\"id\":"
                    + pick(r, ID_VALUES) + "}";
        }
    }

    private static String reply(Random r) {
        return r.nextInt(5) == 0 ? "{\"return\":" + pick(r, VALUES) + "}"
                : "{\"return\":" + pick(r, VALUES) + ",\"id\":" + pick(r, ID_VALUES) + "}";
    }

    private static String errorReply(Random r) {
        return "{\"error\":" + pick(r, VALUES) + ",\"id\":" + pick(r, ID_VALUES) + "}";
    }

    private static String event(Random r) {
        String name = r.nextInt(3) == 0 ? pick(r, VALUES) : pick(r, "\"JOB_STATUS_CHANGE\"", "\"BLOCK_JOB_COMPLETED\"",
                "\"SHUTDOWN\"", "\"\"");
        String ts = pick(r, "{\"seconds\":1,\"microseconds\":2}", "\"now\"", "null", "[]",
                "{\"seconds\":\"x\",\"microseconds\":1e400}", "{\"seconds\":99999999999999999999999}");
        return "{\"event\":" + name + ",\"data\":" + pick(r, VALUES) + ",\"timestamp\":" + ts + "}";
    }

    private static String huge(Random r) {
        int[] sizes = {70_000, 1 << 20, 5 << 20};
        int size = sizes[r.nextInt(sizes.length)];
        switch (r.nextInt(4)) {
            case 0: return " ".repeat(size);
            case 1: return "{\"return\":\"" + "x".repeat(size) + "\",\"id\":\"" + ID + "\"}";
            case 2: return "{\"event\":\"E\",\"data\":{\"k\":\"" + "y".repeat(size) + "\"}}";
            default: return "{\"return\":" + "9".repeat(Math.min(size, 100_000)) + ",\"id\":\"vb-0\"}";
        }
    }

    private static String nested(Random r) {
        int[] depths = {100, 999, 1001, 5000, 100_000};
        int d = depths[r.nextInt(depths.length)];
        String open = r.nextBoolean() ? "[" : "{\"a\":";
        String close = open.equals("[") ? "]" : "}";
        String inner = open.repeat(d) + "0" + close.repeat(d);
        return r.nextBoolean() ? inner : "{\"return\":" + inner + ",\"id\":\"" + ID + "\"}";
    }

    private static String binaryish(Random r) {
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(200);
        for (int i = 0; i < n; i++) {
            char c = (char) r.nextInt(0x10000);
            b.append(c == '\n' || c == '\r' ? ' ' : c);
        }
        return b.toString();
    }

    static String pick(Random r, String... options) {
        return options[r.nextInt(options.length)];
    }

    static String abbreviate(String line) {
        String s = line.length() > 160 ? line.substring(0, 160) + "...(" + line.length() + ")" : line;
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }
}
