// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data sharing archive never changes what a run prints or returns: made on first use,
 * remade when the jar changes, ignored when corrupt, and not retried until the jar changes when it cannot be
 * made. The launcher runs in a copy of the checkout's layout whose jar is a small program (the archive logic
 * does not depend on what the jar holds), so no Maven build is involved.
 */
class LauncherArchiveTest {

    @TempDir
    Path root;

    private Path jar;
    private Path jsa;

    @BeforeEach
    void layout() throws Exception {
        Files.copy(Path.of("..", "virtbackup").toAbsolutePath(), root.resolve("virtbackup"));
        Files.createDirectories(root.resolve("cli/src/main"));
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.writeString(root.resolve("cli/pom.xml"), "<project/>");
        jar = root.resolve("cli/target/virtbackup.jar");
        jsa = root.resolve("cli/target/virtbackup.jsa");
        // exits 3 on --help when the file 'fail-training' exists, so a training run, and the archive, can fail
        writeJar("""
                public class Hello {
                    public static void main(String[] a) {
                        if (a.length > 0 && a[0].equals("--help") && new java.io.File(System.getProperty("user.dir"),
                                "fail-training").exists()) {
                            System.exit(3);
                        }
                        System.out.println("hello " + String.join(" ", a));
                    }
                }
                """);
    }

    private void writeJar(String source) throws IOException {
        Path src = root.resolve("build/Hello.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, src.toString())).isZero();
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Hello");
        Files.createDirectories(jar.getParent());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new ZipEntry("Hello.class"));
            j.write(Files.readAllBytes(root.resolve("build/Hello.class")));
            j.closeEntry();
        }
        // the sources of the layout are older than the jar: no build
        FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
        for (Path p : List.of(root.resolve("pom.xml"), root.resolve("cli/pom.xml"), root.resolve("cli/src/main"))) {
            Files.setLastModifiedTime(p, old);
        }
    }

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) throws Exception {
        Path out = root.resolve("out.txt");
        Path err = root.resolve("err.txt");
        List<String> cmd = new java.util.ArrayList<>(List.of(root.resolve("virtbackup").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("launcher finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private void assertClean(Run r, String args) {
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("hello " + args + "\n");
        assertThat(r.code()).isZero();
    }

    @Test
    void theFirstRunMakesTheArchiveAndLaterRunsUseIt() throws Exception {
        assertClean(run("a", "b"), "a b");
        assertThat(Files.size(jsa)).isPositive();
        FileTime made = Files.getLastModifiedTime(jsa);
        assertClean(run("c"), "c");
        assertThat(Files.getLastModifiedTime(jsa)).isEqualTo(made);
    }

    @Test
    void aStaleArchiveIsRemadeWhenTheJarChanges() throws Exception {
        assertClean(run("x"), "x");
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.now().minusSeconds(60)));
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(30)));
        assertClean(run("y"), "y");
        assertThat(Files.getLastModifiedTime(jsa).toInstant()).isAfter(Files.getLastModifiedTime(jar).toInstant());
        assertThat(Files.size(jsa)).isPositive();
    }

    @Test
    void aCorruptOrForeignArchiveIsIgnoredSilently() throws Exception {
        Files.createDirectories(jsa.getParent());
        Files.write(jsa, "not an archive".repeat(100).getBytes(StandardCharsets.UTF_8));
        assertClean(run("z"), "z");
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.now()));
        Files.copy(Path.of(System.getProperty("java.home"), "lib/server/classes.jsa"), jsa,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING); // a valid archive made for another class path
        Files.setLastModifiedTime(jsa, FileTime.from(Instant.now()));
        assertClean(run("w"), "w");
    }

    @Test
    void anArchiveThatCannotBeMadeIsNotRetriedUntilTheJarChanges() throws Exception {
        Files.writeString(root.resolve("fail-training"), "");
        assertClean(run("p"), "p");
        assertThat(jsa).exists();
        assertThat(Files.size(jsa)).as("an empty file stands for the archive").isZero();
        FileTime marker = Files.getLastModifiedTime(jsa);
        assertClean(run("q"), "q");
        assertThat(Files.getLastModifiedTime(jsa)).isEqualTo(marker);
    }
}
