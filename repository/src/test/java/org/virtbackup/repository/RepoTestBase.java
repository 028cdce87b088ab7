// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.repository;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the repository's QEMU tests share: a real QEMU with vda and vdb ({@link RepoFixture}), stopped after each
 * test, a repository in the test's directory, and the log lines the verbs wrote.
 */
abstract class RepoTestBase {
    @TempDir
    Path tmp;

    RepoFixture f;
    Repository repo;
    final List<String> lines = new ArrayList<>();

    @BeforeEach
    void start() {
        f = new RepoFixture(tmp);
        repo = Repository.create(tmp.resolve("repo"));
    }

    @AfterEach
    void stop() {
        f.close();
    }
}
