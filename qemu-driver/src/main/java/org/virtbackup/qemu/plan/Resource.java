// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * Something a step creates in QEMU or on the host. A backup start records every resource of its plan in the
 * persisted job state <em>before</em> the plan runs, so that another or a restarted process knows what to look
 * for and clean up after a crash (SPEC §2 "BackupStart / BackupEnd semantics"; QEMU stays the source of truth).
 * The job state holds each as an object named after its kind, e.g. {@code {"node": {"name": "vb-vda-target"}}}
 * (the store's {@code StateJson}).
 */
public sealed interface Resource {

    /** The form plans are printed in: a one-member object such as {@code {"node": "vb-vda-target-format"}}. */
    ObjectNode toJson();

    /** A block node added with {@code blockdev-add}; cleaned up with {@code blockdev-del}. */
    record Node(String name) implements Resource {
        public Node {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public ObjectNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("node", name);
        }
    }

    /** A QEMU job; cleaned up with {@code job-cancel} (if running) and {@code job-dismiss}. */
    record Job(String id) implements Resource {
        public Job {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public ObjectNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("job", id);
        }
    }

    /** A dirty bitmap; cleaned up with {@code block-dirty-bitmap-remove}. */
    record Bitmap(String node, String name) implements Resource {
        public Bitmap {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.putObject("bitmap").put("node", node).put("name", name);
            return n;
        }
    }

    /** A host file virtbackup created; deleted unless the backup it holds completed. */
    record File(String path) implements Resource {
        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public ObjectNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("file", path);
        }
    }

    /** A block export; cleaned up with {@code block-export-del} or {@code nbd-server-stop}. */
    record Export(String id) implements Resource {
        public Export {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public ObjectNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("export", id);
        }
    }

    /** The NBD server (QEMU has one); cleaned up with {@code nbd-server-stop}. */
    record NbdServer() implements Resource {
        @Override
        public ObjectNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("nbd-server", true);
        }
    }

    /** A QOM object such as TLS credentials; cleaned up with {@code object-del}. */
    record QomObject(String id) implements Resource {
        public QomObject {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public ObjectNode toJson() {
            return JsonNodeFactory.instance.objectNode().put("object", id);
        }
    }
}
