// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * The fd groups a caller associated with one domain object ({@code Domain.fdAssociate}); they own their
 * descriptors and close them when replaced or when the connection closes.
 */
final class FdGroups implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FdGroups.class);

    private final Map<String, List<FileDescriptor>> groups = new HashMap<>();

    synchronized void associate(String name, List<FileDescriptor> fds) {
        if (name.isEmpty()) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "fd group name must not be empty");
        }
        if (fds.isEmpty() || fds.stream().anyMatch(fd -> fd == null || !fd.valid())) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU,
                    "fd group '" + name + "' needs at least one open file descriptor");
        }
        List<FileDescriptor> old = groups.put(name, List.copyOf(fds));
        if (old != null) {
            closeAll(old);
        }
    }

    /** The descriptor of a group made for the NBD server: it must hold exactly one. */
    synchronized Optional<FileDescriptor> listener(String name) {
        List<FileDescriptor> fds = groups.get(name);
        if (fds == null) {
            return Optional.empty();
        }
        if (fds.size() != 1) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "file descriptor group '" + name
                    + "' must hold exactly one listening socket for the NBD server, it holds " + fds.size());
        }
        return Optional.of(fds.get(0));
    }

    /** Refuses a backup whose {@code fdgroup} was not associated, before anything touches QEMU. */
    void require(String name) {
        if (listener(name).isEmpty()) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU, "unknown file descriptor group '"
                    + name + "': associate a listening socket with Domain.fdAssociate first");
        }
    }

    @Override
    public synchronized void close() {
        groups.values().forEach(FdGroups::closeAll);
        groups.clear();
    }

    private static void closeAll(List<FileDescriptor> fds) {
        for (FileDescriptor fd : fds) {
            try (FileInputStream in = new FileInputStream(fd)) {
                // closing the stream closes the descriptor
            } catch (IOException e) {
                LOG.warn("cannot close an associated file descriptor: {}", e.getMessage());
            }
        }
    }
}
