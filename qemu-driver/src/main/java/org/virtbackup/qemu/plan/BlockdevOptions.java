// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code blockdev-add} options virtbackup uses: a protocol (storage) node over a file or block device,
 * and a qcow2 or raw format node over it. Member order follows libvirt's command lines
 * ({@code qemu-cmdline-bk.log}).
 */
public sealed interface BlockdevOptions {

    /** The node name this adds. */
    String nodeName();

    /** The arguments of {@code blockdev-add}. */
    ObjectNode toJson();

    /**
     * A protocol node. {@code auto-read-only} and {@code discard: unmap} as libvirt sets them: without
     * {@code unmap}, discards are dropped (qemu-7.2-qmp-notes.md §8 gotcha 5).
     *
     * @param nodeName the node name
     * @param blockDevice {@code host_device} instead of {@code file}
     * @param filename the path
     */
    record Storage(String nodeName, boolean blockDevice, String filename) implements BlockdevOptions {
        public Storage {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(filename, "filename");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("driver", blockDevice ? "host_device" : "file");
            n.put("filename", filename);
            n.put("node-name", nodeName);
            n.put("auto-read-only", true);
            n.put("discard", "unmap");
            return n;
        }
    }

    /**
     * A qcow2 node over {@code file}. {@code backing} empty means {@code "backing": null}: the chain ends
     * here whatever the header says, so QEMU opens no backing image (libvirt-backup-reference.md §4.1-6).
     *
     * @param nodeName the node name
     * @param file the storage node
     * @param backing the node to use as backing, or empty for {@code null}
     */
    record Qcow2(String nodeName, String file, Optional<String> backing) implements BlockdevOptions {
        public Qcow2 {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(backing, "backing");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("node-name", nodeName);
            n.put("read-only", false);
            n.put("driver", "qcow2");
            n.put("file", file);
            backing.ifPresentOrElse(b -> n.put("backing", b), () -> n.putNull("backing"));
            return n;
        }
    }

    /** A raw node over {@code file}; raw has no {@code backing} member. */
    record Raw(String nodeName, String file) implements BlockdevOptions {
        public Raw {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(file, "file");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("node-name", nodeName);
            n.put("read-only", false);
            n.put("driver", "raw");
            n.put("file", file);
            return n;
        }
    }

    /**
     * A {@code copy-before-write} filter (qemu-7.2-qmp-notes.md §3 B/C): before the guest overwrites a cluster
     * of {@code file}, the old data goes to {@code target}. {@code on-cbw-error: break-snapshot} lets the
     * guest write go on when copying fails (the snapshot breaks instead), {@code cbw-timeout} bounds a slow
     * copy. With a {@code bitmap}, only its dirty clusters are copied and the others become unreadable
     * through snapshot-access (gotcha 11).
     *
     * @param nodeName the node name
     * @param file the source top node
     * @param target the scratch node (qcow2 without backing)
     * @param bitmap incremental: the temporary merged bitmap
     * @param cbwTimeoutSeconds the {@code cbw-timeout}, 0 to leave it out (no timeout)
     */
    record CopyBeforeWrite(String nodeName, String file, String target, Optional<BitmapRef> bitmap,
            long cbwTimeoutSeconds) implements BlockdevOptions {
        public CopyBeforeWrite {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(bitmap, "bitmap");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("driver", "copy-before-write");
            n.put("node-name", nodeName);
            n.put("file", file);
            n.put("target", target);
            bitmap.ifPresent(b -> n.putObject("bitmap").put("node", b.node()).put("name", b.name()));
            n.put("on-cbw-error", "break-snapshot");
            if (cbwTimeoutSeconds > 0) {
                n.put("cbw-timeout", cbwTimeoutSeconds);
            }
            return n;
        }
    }

    /** A {@code snapshot-access} node over a copy-before-write filter: the point-in-time view to export. */
    record SnapshotAccess(String nodeName, String file) implements BlockdevOptions {
        public SnapshotAccess {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(file, "file");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("driver", "snapshot-access");
            n.put("node-name", nodeName);
            n.put("file", file);
            return n;
        }
    }
}
