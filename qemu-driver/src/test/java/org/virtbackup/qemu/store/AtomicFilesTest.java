// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.virtbackup.api.ErrorCode;
import org.virtbackup.api.VirtBackupException;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writeReplacesContentWithAPrivateFileAndLeavesNoTemporary() throws Exception {
        Path f = dir.resolve("cp1.xml");
        AtomicFiles.write(f, "old");
        AtomicFiles.write(f, "new\n");
        assertThat(f).hasContent("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        try (var list = Files.list(dir)) {
            assertThat(list).containsExactly(f);
        }
    }

    @Test
    void readOfMissingFileIsEmpty() {
        assertThat(AtomicFiles.read(dir.resolve("none"))).isEmpty();
    }

    @Test
    void deleteReportsWhetherTheFileExisted() {
        Path f = dir.resolve("x");
        AtomicFiles.write(f, "x");
        assertThat(AtomicFiles.delete(f)).isTrue();
        assertThat(AtomicFiles.delete(f)).isFalse();
        assertThat(f).doesNotExist();
    }

    @Test
    void syncTakesFilesOfItsDirectoryOnlyAndSkipsMissingOnes() {
        Path f = dir.resolve("cp1.xml");
        AtomicFiles.replace(f, "x");
        AtomicFiles.sync(dir, f, dir.resolve("gone"));
        assertThat(f).hasContent("x");
        assertThatThrownBy(() -> AtomicFiles.sync(dir, Path.of("/etc/hostname")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writeIntoMissingDirectoryFailsWithWriteFailed() {
        assertThatThrownBy(() -> AtomicFiles.write(dir.resolve("no/such/file"), "x"))
                .isInstanceOfSatisfying(VirtBackupException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.WRITE_FAILED))
                .hasMessageStartingWith("cannot write '");
    }
}
