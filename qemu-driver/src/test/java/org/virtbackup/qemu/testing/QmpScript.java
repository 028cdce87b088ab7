// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays a recorded conversation, in the trace format of the reference material ({@code qmp-traces/*.trace}):
 * lines {@code [seconds] >>> {command}}, {@code <<< {reply}}, {@code <<E {event}}; {@code ###} notes, the
 * greeting and {@code qmp_capabilities} are skipped (the server does those itself). Each command received must
 * equal the next recorded one (ids aside); the recorded events and reply follow it, with the received id.
 * A mismatch is answered with an error and remembered for {@link #assertComplete()}.
 */
public final class QmpScript implements FakeQmpServer.Dispatcher {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINE = Pattern.compile("^\\s*(?:[0-9.]+\\s+)?(>>>|<<<|<<E|###)\\s?(.*)$");

    private record Step(ObjectNode command, QmpResponse response) {
    }

    private final List<Step> steps;
    private int next;
    private final List<String> mismatches = new ArrayList<>();

    private QmpScript(List<Step> steps) {
        this.steps = steps;
    }

    /** Reads a trace file. */
    public static QmpScript load(Path trace) {
        try {
            return parse(Files.readString(trace));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read qmp script '" + trace + "'", e);
        }
    }

    /** Parses trace text. */
    public static QmpScript parse(String trace) {
        List<Step> steps = new ArrayList<>();
        ObjectNode command = null;
        List<ObjectNode> before = new ArrayList<>();
        for (String raw : trace.split("\n")) {
            Matcher m = LINE.matcher(raw);
            if (!m.matches() || m.group(1).equals("###")) {
                continue;
            }
            ObjectNode msg = json(m.group(2));
            switch (m.group(1)) {
                case ">>>" -> {
                    command = msg.path("execute").asText().equals("qmp_capabilities") ? null : msg;
                    before = new ArrayList<>();
                }
                case "<<E" -> {
                    if (command == null && !steps.isEmpty()) {
                        Step last = steps.remove(steps.size() - 1);
                        List<ObjectNode> after = new ArrayList<>(last.response().eventsAfter());
                        after.add(msg);
                        steps.add(new Step(last.command(), new QmpResponse(last.response().eventsBefore(),
                                last.response().reply(), after, false)));
                    } else if (command != null) {
                        before.add(msg);
                    }
                }
                default -> { // <<<
                    if (command != null && !msg.has("QMP")) {
                        msg.remove("id");
                        steps.add(new Step(command, new QmpResponse(before, msg, List.of(), false)));
                        command = null;
                    }
                }
            }
        }
        return new QmpScript(steps);
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (IOException | ClassCastException e) {
            throw new IllegalArgumentException("not a json object in qmp script: " + text, e);
        }
    }

    @Override
    public synchronized QmpResponse dispatch(String command, ObjectNode arguments) {
        if (next >= steps.size()) {
            mismatches.add("unexpected '" + command + "' after the end of the script");
            return QmpResponse.error("GenericError", "qmp script ended; got '" + command + "'");
        }
        Step step = steps.get(next);
        JsonNode expectedArgs = step.command().has("arguments") ? step.command().get("arguments")
                : JSON.createObjectNode();
        if (!step.command().path("execute").asText().equals(command) || !expectedArgs.equals(arguments)) {
            String why = "step " + (next + 1) + ": expected " + step.command() + ", got '" + command + "' " + arguments;
            mismatches.add(why);
            return QmpResponse.error("GenericError", "qmp script mismatch at " + why);
        }
        next++;
        return step.response();
    }

    /** The commands the script expects, in order. */
    public List<String> expectedCommands() {
        return steps.stream().map(s -> s.command().path("execute").asText()).toList();
    }

    /**
     * Fails unless every step was played and nothing mismatched.
     *
     * @throws AssertionError listing what went wrong
     */
    public synchronized void assertComplete() {
        if (!mismatches.isEmpty() || next != steps.size()) {
            throw new AssertionError("qmp script: played " + next + " of " + steps.size() + " steps; mismatches: "
                    + mismatches);
        }
    }
}
