// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.ErrorDomain;
import org.virtbackup.api.VirtBackupException;

/**
 * Where virtbackup keeps its state (SPEC §5): {@code --state-dir}, else {@code $VIRTBACKUP_STATE_DIR}, else
 * {@code /var/lib/virtbackup} for root, else {@code $XDG_STATE_HOME/virtbackup} (default
 * {@code ~/.local/state/virtbackup}). Each domain has its own 0700 subdirectory.
 */
public final class StateDirectory {

    /** Domain names become directory names: refuse anything that could escape or hide. */
    private static final Pattern DOMAIN_NAME = Pattern.compile("[A-Za-z0-9_+\\-][A-Za-z0-9_+.\\-]{0,254}");

    private final Path root;

    private StateDirectory(Path root) {
        this.root = root;
    }

    /** A state directory at an explicit location. */
    public static StateDirectory at(Path root) {
        return new StateDirectory(Objects.requireNonNull(root, "root").toAbsolutePath().normalize());
    }

    /**
     * Resolves the state directory from an explicit choice and the environment.
     *
     * @param explicit the {@code --state-dir} value, if any
     * @param env the environment (normally {@code System.getenv()})
     * @param isRoot whether the process runs as root
     * @param home the user's home directory
     */
    public static StateDirectory resolve(Optional<Path> explicit, Map<String, String> env, boolean isRoot, Path home) {
        if (explicit.isPresent()) {
            return at(explicit.get());
        }
        String fromEnv = env.get("VIRTBACKUP_STATE_DIR");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return at(Path.of(fromEnv));
        }
        if (isRoot) {
            return at(Path.of("/var/lib/virtbackup"));
        }
        String xdg = env.get("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : home.resolve(".local/state");
        return at(base.resolve("virtbackup"));
    }

    /** Resolves from this process's environment. */
    public static StateDirectory resolveDefault(Optional<Path> explicit) {
        boolean root = "root".equals(System.getProperty("user.name"));
        return resolve(explicit, System.getenv(), root, Path.of(System.getProperty("user.home")));
    }

    /** The root of the state directory. */
    public Path root() {
        return root;
    }

    /**
     * The directory of one domain, created (0700) when missing.
     *
     * @throws VirtBackupException {@link ErrorCode#INVALID_ARG} for a name that cannot be a directory name,
     *     {@link ErrorCode#SYSTEM_ERROR} when it cannot be created
     */
    public Path domainDir(String domain) {
        if (!DOMAIN_NAME.matcher(domain).matches()) {
            throw new VirtBackupException(ErrorCode.INVALID_ARG, ErrorDomain.QEMU,
                    "domain name '" + domain + "' cannot be used as a state directory name");
        }
        return ensureDir(root.resolve(domain));
    }

    /**
     * The private run directory of one domain, {@code <domain dir>/run} (0700, created when missing): the
     * sockets and pid file of the {@code qemu-storage-daemon} of offline operations.
     */
    public Path runDir(String domain) {
        return ensureDir(domainDir(domain).resolve("run"));
    }

    /** Creates {@code dir} and its missing parents with mode 0700. */
    static Path ensureDir(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return dir;
        } catch (IOException e) {
            throw new VirtBackupException(ErrorCode.SYSTEM_ERROR, ErrorDomain.QEMU,
                    "cannot create state directory '" + dir + "': " + e.getMessage(), e);
        }
    }
}
