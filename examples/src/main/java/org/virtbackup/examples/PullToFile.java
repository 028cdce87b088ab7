// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.examples;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.virtbackup.api.BackupEndFlag;
import org.virtbackup.api.BackupStartFlag;
import org.virtbackup.api.CheckpointListFlag;
import org.virtbackup.api.Connection;
import org.virtbackup.api.Connections;
import org.virtbackup.api.Domain;
import org.virtbackup.api.JobInfo;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A pull backup read by an external NBD client, as a management application whose data mover is not Java does
 * it: the domain exports each disk over a unix socket in a private directory; {@code nbdcopy} reads a full
 * export, {@code nbdinfo --map} lists the extents of an incremental one and {@code qemu-img} reads just those.
 * The copies are raw mirrors {@code OUT_DIR/<disk>.raw}; {@code OUT_DIR/checkpoint} names the checkpoint they
 * are current with, so the next run is incremental since it. When the reader fails, the backup ends with
 * {@link BackupEndFlag#DISCARD_CHECKPOINT}: the next incremental still covers what was not read.
 *
 * <pre>java org.virtbackup.examples.PullToFile qmp+unix:///run/vm1/qmp.sock?domain=vm1 OUT_DIR [STATE_DIR]</pre>
 */
public final class PullToFile {

    /** How a run ended: whether every export was read, the checkpoint the copies are now current with. */
    public record Outcome(boolean copied, Optional<String> checkpoint, JobInfo end) {
    }

    private PullToFile() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: PullToFile URI OUT_DIR [STATE_DIR]");
            System.exit(2);
        }
        Map<String, String> options = args.length > 2 ? Map.of("stateDir", args[2]) : Map.of();
        System.exit(run(args[0], options, Path.of(args[1]), System.out).copied() ? 0 : 1);
    }

    /** Runs one pull backup into {@code outDir}. */
    public static Outcome run(String uri, Map<String, String> options, Path outDir, PrintStream out)
            throws IOException {
        Files.createDirectories(outDir);
        Path stateFile = outDir.resolve("checkpoint");
        Path sockDir = Files.createTempDirectory("pull-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------"))); // only we may connect to the exports
        Path socket = sockDir.resolve("nbd.sock");
        try (Connection conn = Connections.open(URI.create(uri), options)) {
            Domain dom = conn.domain();
            // Incremental only since the checkpoint our copies are current with, and only if it still exists.
            Optional<String> since = Files.exists(stateFile)
                    ? Optional.of(Files.readString(stateFile).strip()).filter(cp -> dom.listAllCheckpoints(
                            EnumSet.noneOf(CheckpointListFlag.class)).stream().anyMatch(c -> c.name().equals(cp)))
                    : Optional.empty();
            String name = "pull-" + System.currentTimeMillis();
            String backupXml = "<domainbackup mode='pull'>" + since.map(cp -> "<incremental>" + cp + "</incremental>")
                    .orElse("") + "<server transport='unix' socket='" + socket + "'/></domainbackup>";
            out.println(since.map(cp -> "incremental pull since " + cp).orElse("full pull") + ", new checkpoint " + name);
            dom.backupStart(backupXml, "<domaincheckpoint><name>" + name + "</name></domaincheckpoint>",
                    EnumSet.of(BackupStartFlag.INCREMENTAL_FALLBACK_FULL));
            boolean copied = false;
            try {
                for (Element disk : exportedDisks(dom.backupGetXmlDesc())) {
                    copyDisk(disk, socket, outDir, out);
                }
                Files.writeString(stateFile, name + "\n");
                copied = true;
            } catch (IOException | RuntimeException e) {
                out.println("reader failed: " + e.getMessage());
            }
            // Removes exports and scratch images; when the copy failed, also the new checkpoint.
            JobInfo end = dom.backupEnd(copied ? EnumSet.noneOf(BackupEndFlag.class)
                    : EnumSet.of(BackupEndFlag.DISCARD_CHECKPOINT));
            end.notes().forEach(n -> out.println("note: " + n));
            out.println("result: " + (copied ? "copied, checkpoint " + name : "checkpoint " + name + " discarded"));
            return new Outcome(copied, copied ? Optional.of(name) : since, end);
        } finally {
            Files.deleteIfExists(socket);
            Files.delete(sockDir);
        }
    }

    /** The {@code <disk backup='yes'>} elements of the running backup's aligned XML. */
    static List<Element> exportedDisks(String alignedXml) throws IOException {
        try {
            NodeList disks = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(alignedXml.getBytes(StandardCharsets.UTF_8)))
                    .getElementsByTagName("disk");
            List<Element> out = new ArrayList<>();
            for (int i = 0; i < disks.getLength(); i++) {
                Element d = (Element) disks.item(i);
                if (!"no".equals(d.getAttribute("backup"))) {
                    out.add(d);
                }
            }
            return out;
        } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
            throw new IOException("cannot parse the backup XML", e);
        }
    }

    private static void copyDisk(Element disk, Path socket, Path outDir, PrintStream out) throws IOException {
        String export = disk.getAttribute("exportname");
        String bitmap = disk.getAttribute("exportbitmap"); // empty: full (first run, or fell back to full)
        Path mirror = outDir.resolve(disk.getAttribute("name") + ".raw");
        String nbd = "nbd+unix:///" + export + "?socket=" + socket;
        if (bitmap.isEmpty() || !Files.exists(mirror)) { // an incremental export holds the whole disk too
            Path part = outDir.resolve(disk.getAttribute("name") + ".raw.part");
            exec("nbdcopy", nbd, part.toString());
            Files.move(part, mirror, StandardCopyOption.REPLACE_EXISTING);
            out.println("disk " + disk.getAttribute("name") + ": full copy");
            return;
        }
        long bytes = 0;
        Path piece = outDir.resolve(disk.getAttribute("name") + ".extent.part");
        for (String line : exec("nbdinfo", "--map=qemu:dirty-bitmap:" + bitmap, nbd).lines().toList()) {
            String[] f = line.strip().split("\\s+"); // offset length type [description]
            if (f.length < 3 || !f[2].equals("1")) {
                continue; // clean
            }
            long offset = Long.parseLong(f[0]);
            long length = Long.parseLong(f[1]);
            exec("qemu-img", "convert", "--image-opts", "driver=raw,offset=" + offset + ",size=" + length
                    + ",file.driver=nbd,file.server.type=unix,file.server.path=" + socket + ",file.export=" + export,
                    "-O", "raw", piece.toString());
            try (FileChannel src = FileChannel.open(piece);
                    FileChannel dst = FileChannel.open(mirror, StandardOpenOption.WRITE)) {
                dst.position(offset);
                for (long done = 0; done < length; ) {
                    long n = src.transferTo(done, length - done, dst);
                    if (n <= 0) {
                        throw new IOException("short read of extent " + offset + "+" + length);
                    }
                    done += n;
                }
            }
            Files.delete(piece);
            bytes += length;
        }
        out.println("disk " + disk.getAttribute("name") + ": " + bytes + " changed bytes");
    }

    /** Runs a client to its end; its output, or an IOException naming it. */
    private static String exec(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException(command[0] + " failed: " + output.strip());
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(command[0] + " interrupted", e);
        } finally {
            p.destroyForcibly();
        }
    }
}
