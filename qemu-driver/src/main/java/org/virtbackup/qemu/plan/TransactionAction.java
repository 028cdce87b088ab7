// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.virtbackup.qemu.qmp.QmpCommand;

/**
 * An action inside a QMP {@code transaction}, serialised as {@code {"type": ..., "data": ...}}. Each action
 * is also a command of the same name on its own ({@link #toCommand()}). Instances come from the
 * {@link Qmp} factories; they are immutable, and the option methods return modified copies.
 */
public sealed interface TransactionAction {

    /** The command name, e.g. {@code "block-dirty-bitmap-add"}. */
    String type();

    /** The arguments, optional members left out when unset. */
    ObjectNode data();

    /** Whether this is one of the {@code block-dirty-bitmap-*} actions. */
    default boolean isBitmapAction() {
        return type().startsWith("block-dirty-bitmap-");
    }

    /** {@code {"type": ..., "data": ...}}. */
    default ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", type());
        n.set("data", data());
        return n;
    }

    /** The same action as a stand-alone command. */
    default QmpCommand toCommand() {
        return new QmpCommand(type(), data());
    }

    /**
     * {@code block-dirty-bitmap-add}. {@code persistent} and {@code disabled} are always sent, as libvirt
     * does; granularity only when set (libvirt omits 0, libvirt-backup-reference.md §4.0).
     */
    record BitmapAdd(String node, String name, boolean persistent, boolean disabled, Optional<Long> granularity)
            implements TransactionAction {
        public BitmapAdd {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(granularity, "granularity");
        }

        public BitmapAdd persistent(boolean value) {
            return new BitmapAdd(node, name, value, disabled, granularity);
        }

        public BitmapAdd disabled(boolean value) {
            return new BitmapAdd(node, name, persistent, value, granularity);
        }

        public BitmapAdd granularity(long bytes) {
            return new BitmapAdd(node, name, persistent, disabled, Optional.of(bytes));
        }

        @Override
        public String type() {
            return "block-dirty-bitmap-add";
        }

        @Override
        public ObjectNode data() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("node", node);
            n.put("name", name);
            n.put("persistent", persistent);
            n.put("disabled", disabled);
            granularity.ifPresent(g -> n.put("granularity", g));
            return n;
        }
    }

    /** {@code block-dirty-bitmap-remove}. */
    record BitmapRemove(String node, String name) implements TransactionAction {
        public BitmapRemove {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String type() {
            return "block-dirty-bitmap-remove";
        }

        @Override
        public ObjectNode data() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("node", node);
            n.put("name", name);
            return n;
        }
    }

    /**
     * {@code block-dirty-bitmap-merge} of {@code sources} into bitmap {@code target} of {@code node}.
     * An empty source list is refused: QEMU 7.2 segfaults on {@code "bitmaps": []}
     * (qemu-7.2-qmp-notes.md §8 gotcha 1, {@code 07x_merge_empty_probe.trace}).
     */
    record BitmapMerge(String node, String target, List<BitmapRef> sources) implements TransactionAction {
        public BitmapMerge {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(target, "target");
            sources = List.copyOf(sources);
            if (sources.isEmpty()) {
                throw new IllegalArgumentException("refusing block-dirty-bitmap-merge into '" + target
                        + "' with an empty 'bitmaps' list: it crashes QEMU 7.2");
            }
        }

        @Override
        public String type() {
            return "block-dirty-bitmap-merge";
        }

        @Override
        public ObjectNode data() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("node", node);
            n.put("target", target);
            ArrayNode a = n.putArray("bitmaps");
            sources.forEach(s -> a.add(s.toJson()));
            return n;
        }
    }

    /**
     * {@code blockdev-backup}. {@code auto-finalize} is always true and {@code auto-dismiss} always false:
     * with auto-dismiss the final error is only in the event, and a reconnecting client cannot read it
     * (qemu-7.2-qmp-notes.md §1, §8 gotcha 7; libvirt does the same, libvirt-backup-reference.md §4.0).
     */
    record BlockdevBackup(String jobId, String device, String target, Sync sync, Optional<String> bitmap,
            long speed, boolean copyRange) implements TransactionAction {
        public BlockdevBackup(String jobId, String device, String target, Sync sync, Optional<String> bitmap) {
            this(jobId, device, target, sync, bitmap, 0, false);
        }

        public BlockdevBackup {
            if (speed < 0) {
                throw new IllegalArgumentException("speed must be >= 0, got " + speed);
            }
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(sync, "sync");
            Objects.requireNonNull(bitmap, "bitmap");
        }

        public BlockdevBackup bitmap(String name) {
            return new BlockdevBackup(jobId, device, target, sync, Optional.of(name), speed, copyRange);
        }

        /**
         * A copy limited to {@code bytesPerSecond} (0 = unlimited). QEMU counts virtual bytes, holes included
         * (qemu-7.2-qmp-notes.md §5).
         */
        public BlockdevBackup speed(long bytesPerSecond) {
            return new BlockdevBackup(jobId, device, target, sync, bitmap, bytesPerSecond, copyRange);
        }

        /**
         * A copy that asks QEMU to copy with {@code copy_file_range} where the storage allows it
         * ({@code x-perf: {use-copy-range: true}}). Measured 14–30 % faster for a full push on ext4
         * (BENCHMARKS.md); only sent when the probed schema has {@code x-perf}, since the {@code x-} prefix
         * means QEMU may change it.
         */
        public BlockdevBackup copyRange(boolean value) {
            return new BlockdevBackup(jobId, device, target, sync, bitmap, speed, value);
        }

        @Override
        public String type() {
            return "blockdev-backup";
        }

        @Override
        public ObjectNode data() {
            if (sync == Sync.INCREMENTAL && bitmap.isEmpty()) {
                // QEMU: "must provide a valid bitmap name for 'incremental' sync mode" (notes §2)
                throw new IllegalStateException("incremental backup job '" + jobId + "' needs a bitmap");
            }
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("device", device);
            n.put("job-id", jobId);
            n.put("target", target);
            n.put("sync", sync.qmpName());
            bitmap.ifPresent(b -> n.put("bitmap", b));
            if (speed > 0) {
                n.put("speed", speed);
            }
            if (copyRange) {
                n.putObject("x-perf").put("use-copy-range", true);
            }
            n.put("auto-finalize", true);
            n.put("auto-dismiss", false);
            return n;
        }
    }
}
