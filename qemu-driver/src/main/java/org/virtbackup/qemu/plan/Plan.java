// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * An ordered list of steps, a value: two plans for the same input are {@code equals}, and
 * {@link PlanJson} prints them deterministically.
 *
 * @param kind how the executor reacts to a failing step
 * @param steps the steps in order
 */
public record Plan(Kind kind, List<Step> steps) {

    /** How a failing step is handled. */
    public enum Kind {
        /**
         * Prepare/apply: on the first failure stop, then run {@link #rollback(int)} best effort (errors of
         * the rollback are attached to the first error with {@code addSuppressed}).
         */
        START,
        /**
         * Teardown: run every step even after a failure (each one cleans up something independent); report
         * the first failure, the others suppressed. Running a teardown twice is harmless.
         */
        TEARDOWN
    }

    public Plan {
        Objects.requireNonNull(kind, "kind");
        steps = List.copyOf(steps);
    }

    /** A start plan. */
    public static Plan start(List<Step> steps) {
        return new Plan(Kind.START, steps);
    }

    /** A teardown plan. */
    public static Plan teardown(List<Step> steps) {
        return new Plan(Kind.TEARDOWN, steps);
    }

    /**
     * The undo steps for a start plan whose first {@code applied} steps succeeded: their
     * {@link Step#undoSteps()} in reverse step order (each step's own undo list keeps its order).
     */
    public List<Step> rollback(int applied) {
        if (applied < 0 || applied > steps.size()) {
            throw new IndexOutOfBoundsException("applied " + applied + " of " + steps.size());
        }
        List<Step> undo = new ArrayList<>();
        for (int i = applied - 1; i >= 0; i--) {
            undo.addAll(steps.get(i).undoSteps());
        }
        return List.copyOf(undo);
    }

    /** The QMP commands the forward steps send, in order. */
    public List<QmpCommand> commands() {
        return steps.stream().flatMap(s -> s.command().stream()).toList();
    }

    /** Every QMP command the plan may send: forward steps and all undo steps, recursively. */
    public List<QmpCommand> allCommands() {
        List<QmpCommand> all = new ArrayList<>();
        steps.forEach(s -> collect(s, all));
        return all;
    }

    private static void collect(Step s, List<QmpCommand> into) {
        s.command().ifPresent(into::add);
        s.undoSteps().forEach(u -> collect(u, into));
    }
}
