// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

class StateDirectoryTest {

    private static final Path HOME = Path.of("/home/u");

    @Test
    void explicitChoiceWins() {
        var s = StateDirectory.resolve(Optional.of(Path.of("/x")), Map.of("VIRTBACKUP_STATE_DIR", "/y"), true, HOME);
        assertThat(s.root()).isEqualTo(Path.of("/x"));
    }

    @Test
    void environmentBeforeDefaults() {
        var s = StateDirectory.resolve(Optional.empty(), Map.of("VIRTBACKUP_STATE_DIR", "/y"), true, HOME);
        assertThat(s.root()).isEqualTo(Path.of("/y"));
    }

    @Test
    void rootUsesVarLib() {
        assertThat(StateDirectory.resolve(Optional.empty(), Map.of(), true, HOME).root())
                .isEqualTo(Path.of("/var/lib/virtbackup"));
    }

    @Test
    void userUsesXdgStateHome() {
        assertThat(StateDirectory.resolve(Optional.empty(), Map.of("XDG_STATE_HOME", "/s"), false, HOME).root())
                .isEqualTo(Path.of("/s/virtbackup"));
        assertThat(StateDirectory.resolve(Optional.empty(), Map.of(), false, HOME).root())
                .isEqualTo(Path.of("/home/u/.local/state/virtbackup"));
    }

    @Test
    void domainDirIsCreatedPrivate(@TempDir Path tmp) throws Exception {
        Path d = StateDirectory.at(tmp.resolve("state")).domainDir("vm1");
        assertThat(d).isDirectory();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d.getParent()))).isEqualTo("rwx------");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", ".hidden", "a/b", "a\nb"})
    void unsafeDomainNamesAreRefused(String name, @TempDir Path tmp) {
        assertThatThrownBy(() -> StateDirectory.at(tmp).domainDir(name))
                .isInstanceOfSatisfying(VirtBackupException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARG));
    }
}
