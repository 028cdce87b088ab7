// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * Deterministic JSON of plans: one object per line, members in a fixed order. Used for golden files, for
 * dry runs and for the CLI's {@code --print-qmp}.
 */
public final class PlanJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private PlanJson() {
    }

    /**
     * A header line {@code {"plan": "start"|"teardown"}} followed by one line per step; each line ends with
     * a newline.
     */
    public static String toJsonLines(Plan plan) {
        StringBuilder b = new StringBuilder();
        b.append(JSON.objectNode().put("plan", plan.kind().name().toLowerCase(Locale.ROOT))).append('\n');
        plan.steps().forEach(s -> b.append(toJson(s)).append('\n'));
        return b.toString();
    }

    /** The QMP commands of the forward steps in wire form ({@code {"execute", "arguments"}}), one per line. */
    public static String toQmpLines(Plan plan) {
        StringBuilder b = new StringBuilder();
        plan.commands().forEach(c -> b.append(c.toJson()).append('\n'));
        return b.toString();
    }

    /** One step: {@code {"step": <kind>, ...details, "creates": [...], "undo": [...]}}. */
    public static ObjectNode toJson(Step step) {
        ObjectNode n = JSON.objectNode();
        // Java 17 has no pattern switch; Step is sealed, so this chain is complete
        if (step instanceof Step.QmpCall c) {
            n.put("step", "qmp");
            n.set("qmp", c.qmp().toJson());
        } else if (step instanceof Step.Transaction t) {
            n.put("step", "transaction");
            n.set("qmp", Qmp.transaction(t.actions()).toJson());
        } else if (step instanceof Step.CreateFile f) {
            n.put("step", "create-file");
            n.put("path", f.path());
            n.put("mode", String.format("%04o", f.mode()));
        } else if (step instanceof Step.SetMode m) {
            n.put("step", "set-mode");
            n.put("path", m.path());
            n.put("mode", String.format("%04o", m.mode()));
        } else if (step instanceof Step.DeleteFile f) {
            n.put("step", "delete-file");
            n.put("path", f.path());
            n.put("when", f.when().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        } else if (step instanceof Step.PassFd p) {
            n.put("step", "pass-fd");
            n.put("fdgroup", p.group());
            n.put("qmp", Qmp.getfd(p.fdName()).toJson());
        } else if (step instanceof Step.DeleteExport d) {
            n.put("step", "delete-export");
            n.put("export", d.exportId());
            n.put("grace-ms", d.grace().toMillis());
        } else if (step instanceof Step.AwaitJob a) {
            n.put("step", "await-job");
            n.put("job", a.jobId());
            n.put("expect", a.expected().name().toLowerCase(Locale.ROOT));
        } else if (step instanceof Step.CancelJob c) {
            n.put("step", "cancel-job");
            n.put("job", c.jobId());
        } else if (step instanceof Step.DismissJob d) {
            n.put("step", "dismiss-job");
            n.put("job", d.jobId());
        } else if (step instanceof Step.PauseGuest) {
            n.put("step", "pause-guest");
        } else if (step instanceof Step.ResumeGuest) {
            n.put("step", "resume-guest");
        } else if (step instanceof Step.ResumePausedGuest) {
            n.put("step", "resume-paused-guest");
        } else if (step instanceof Step.CompleteGuestShutdown) {
            n.put("step", "complete-guest-shutdown");
        } else if (step instanceof Step.SetDrive d) {
            n.put("step", "set-drive");
            n.put("device", d.devicePath());
            n.put("from", d.from());
            n.put("to", d.to());
        }
        addList(n, "creates", step.creates().stream().map(Resource::toJson).toList());
        addList(n, "undo", step.undoSteps().stream().map(PlanJson::toJson).toList());
        return n;
    }

    private static void addList(ObjectNode n, String name, List<ObjectNode> items) {
        if (!items.isEmpty()) {
            ArrayNode a = n.putArray(name);
            items.forEach(a::add);
        }
    }
}
