// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.plan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code options} of {@code blockdev-create} that virtbackup uses. QEMU 7.2 has no create for
 * {@code host_device} or {@code raw} (their union branches are empty), so block devices are never created
 * and a raw target is just a file of the right size.
 */
public sealed interface CreateOptions {

    /** The {@code options} object. */
    ObjectNode toJson();

    /** {@code driver: file}: creates (or truncates) the file to {@code size} bytes. */
    record File(String filename, long size) implements CreateOptions {
        public File {
            Objects.requireNonNull(filename, "filename");
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("driver", "file");
            n.put("filename", filename);
            n.put("size", size);
            return n;
        }
    }

    /**
     * {@code driver: qcow2} on an added storage node. The cluster size is copied from the source, as libvirt
     * does ({@code qemuBlockStorageSourceCreateDetectSize}); {@code backing-file} only writes the header.
     *
     * @param file the storage node
     * @param size the virtual size in bytes
     * @param clusterSize the cluster size, empty for QEMU's default
     * @param backingFile the path recorded in the header
     * @param backingFormat the format recorded with it, required when {@code backingFile} is set
     */
    record Qcow2(String file, long size, Optional<Long> clusterSize, Optional<String> backingFile,
            Optional<String> backingFormat) implements CreateOptions {
        public Qcow2 {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(clusterSize, "clusterSize");
            Objects.requireNonNull(backingFile, "backingFile");
            Objects.requireNonNull(backingFormat, "backingFormat");
            if (backingFile.isPresent() != backingFormat.isPresent()) {
                // an image without backing-fmt makes QEMU probe the backing file's format on open
                throw new IllegalArgumentException("backing file and backing format go together");
            }
        }

        /** A copy that records {@code path} of format {@code format} as backing file in the header. */
        public Qcow2 backing(String path, String format) {
            return new Qcow2(file, size, clusterSize, Optional.of(path), Optional.of(format));
        }

        @Override
        public ObjectNode toJson() {
            ObjectNode n = JsonNodeFactory.instance.objectNode();
            n.put("driver", "qcow2");
            n.put("file", file);
            n.put("size", size);
            clusterSize.ifPresent(c -> n.put("cluster-size", c));
            backingFile.ifPresent(b -> n.put("backing-file", b));
            backingFormat.ifPresent(f -> n.put("backing-fmt", f));
            return n;
        }
    }
}
