// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.qmp.fuzz;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.virtbackup.qemu.qmp.QmpChannel;
import org.virtbackup.qemu.qmp.fuzz.RawQmpPeer.Step;

/** The greeting and byte-level cases of {@link QmpFuzzTest}, played by a {@link RawQmpPeer}. */
final class RawCases {
    private static final String[] GREETINGS = {
        "", "\r", "not json", "[]", "42", "null", "\"QMP\"", "{}", "{\"QMP\":5}", "{\"QMP\":{\"version\":5}}",
        "{\"QMP\":{\"version\":{\"qemu\":{\"major\":\"7\"}}}}", "{\"QMP\":{\"version\":{\"qemu\":[7,2,0]}}}",
        "{\"QMP\":{\"version\":{\"qemu\":{\"major\":7,\"minor\":\"x\",\"micro\":[]},\"package\":{}},"
            + "\"capabilities\":\"oob\"}}",
        "{\"QMP\":{\"version\":{\"qemu\":{\"major\":7,\"minor\":2,\"micro\":0}},\"capabilities\":[1,{},null]}}",
        "{\"QMP\":{\"version\":{\"qemu\":{\"major\":99999999999,\"minor\":-1,\"micro\":1e400}}}}",
        "{\"QMP\":{\"version\":{\"qemu\":{\"major\":7,\"minor\":2,\"micro\":0}}}", "{\"return\":{}}",
        "{\"error\":{\"class\":\"GenericError\",\"desc\":\"x\"}}", "{\"event\":\"SHUTDOWN\"}",
    };

    private RawCases() {
    }

    /** Plays one random script against a fresh channel; problems go to {@code test}. */
    static void run(QmpFuzzTest test, Path sock, int index, Random r) throws IOException, InterruptedException {
        List<String> log = new ArrayList<>();
        List<Step> script = script(r, log);
        try (RawQmpPeer peer = new RawQmpPeer(sock, script)) {
            QmpChannel channel = QmpChannel.unix(sock, Duration.ofMillis(300), Duration.ofMillis(150));
            try {
                test.exercise(channel, index, log, r);
            } finally {
                test.close(channel, index, log);
            }
            if (!peer.clientHungUp()) {
                test.problem("raw", "socket left open after the channel closed", null, "case " + index + " " + log);
            }
        }
        test.checkReaderGone(sock, index, log);
    }

    private static List<Step> script(Random r, List<String> log) {
        List<Step> s = new ArrayList<>();
        int kind = r.nextInt(20);
        if (kind == 0) {
            log.add("silence");
            return s;
        }
        if (kind < 8) {
            String g = greeting(r);
            log.add("greeting " + QmpLines.abbreviate(g));
            s.add(Step.send(g + "\r\n"));
            s.add(Step.readCommand());
            s.add(Step.send("{\"return\":{},\"id\":\"${id}\"}\r\n"));
            return s;
        }
        s.add(Step.send(QmpFuzzTest.GREETING));
        s.add(Step.readCommand()); // qmp_capabilities
        if (kind < 11) { // invalid UTF-8 or junk in place of the capabilities reply
            log.add("junk instead of the capabilities reply");
            s.add(Step.sendBytes(junk(r)));
            s.add(Step.send("\r\n{\"return\":{},\"id\":\"${id}\"}\r\n"));
            return s;
        }
        s.add(Step.send("{\"return\":{},\"id\":\"${id}\"}\r\n"));
        s.add(Step.readCommand()); // query-fuzz
        if (kind < 15) {
            log.add("invalid bytes, then the reply");
            s.add(Step.sendBytes(junk(r)));
            s.add(Step.send("\n{\"return\":{},\"id\":\"${id}\"}\r\n"));
        } else if (kind < 18) {
            String reply = "{\"return\":{\"status\":\"running\"},\"id\":\"${id}\"}";
            String part = reply.substring(0, r.nextInt(reply.length()));
            log.add("hang up mid-line after '" + part + "'");
            s.add(Step.send(part));
            s.add(Step.hangUp());
        } else {
            log.add("no reply");
        }
        return s;
    }

    private static String greeting(Random r) {
        int k = r.nextInt(GREETINGS.length + 3);
        if (k == GREETINGS.length) {
            return "{\"QMP\":{\"version\":{\"qemu\":{\"major\":7,\"minor\":2,\"micro\":0},\"package\":\""
                    + "p".repeat(2 << 20) + "\"},\"capabilities\":[]}}";
        }
        if (k == GREETINGS.length + 1) {
            return "[".repeat(5000) + "]".repeat(5000);
        }
        if (k == GREETINGS.length + 2) {
            return QmpFuzzTest.GREETING.trim().substring(0, 1 + r.nextInt(QmpFuzzTest.GREETING.length() - 3));
        }
        return GREETINGS[k];
    }

    private static byte[] junk(Random r) {
        byte[] b = new byte[1 + r.nextInt(300)];
        r.nextBytes(b);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n' || b[i] == '\r') {
                b[i] = (byte) 0xff;
            }
        }
        return b;
    }
}
