// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The timed steps of {@code benchmark libvirt}, the same calls on every {@link BackupSide}. Laps in seconds:
 * a push's {@code start} (the begin call returned) and {@code total} (completion seen); a pull's {@code start},
 * {@code read} (every disk's export read with {@code nbdcopy} to {@code null:}) and {@code total} (ended); the
 * checkpoint steps' per-operation times.
 */
final class LibvirtSteps {
    static final String PUSH_FULL = "push full";
    static final String PUSH_INCREMENTAL = "push incremental";
    static final String PULL = "pull";
    static final String CHECKPOINT_CREATE = "checkpoint create";
    static final String CHECKPOINT_LIST = "checkpoint list";
    static final String CHECKPOINT_DELETE = "checkpoint delete";
    static final List<String> ALL = List.of(PUSH_FULL, PUSH_INCREMENTAL, PULL, CHECKPOINT_CREATE, CHECKPOINT_LIST,
            CHECKPOINT_DELETE);
    static final String START = "start";
    static final String READ = "read";
    /** Lists timed per round; the round's figure is their median. */
    static final int LISTS = 5;

    private LibvirtSteps() {
    }

    /** A push of every disk to {@code <dir>/<tag>-<disk>.qcow2}, incremental since {@code since} when set. */
    static String pushXml(Path dir, String tag, List<String> disks, String since) {
        StringBuilder b = new StringBuilder("<domainbackup mode='push'>");
        if (since != null) {
            b.append("<incremental>").append(since).append("</incremental>");
        }
        b.append("<disks>");
        for (String d : disks) {
            b.append("<disk name='").append(d).append("' type='file'><target file='").append(target(dir, tag, d))
                    .append("'/><driver type='qcow2'/></disk>");
        }
        return b.append("</disks></domainbackup>").toString();
    }

    /** A full pull of every disk over {@code <dir>/<tag>.sock}, scratch files {@code <dir>/<tag>-<disk>.scr}. */
    static String pullXml(Path dir, String tag, List<String> disks) {
        StringBuilder b = new StringBuilder("<domainbackup mode='pull'><server transport='unix' socket='")
                .append(dir.resolve(tag + ".sock")).append("'/><disks>");
        for (String d : disks) {
            b.append("<disk name='").append(d).append("' type='file'><scratch file='")
                    .append(dir.resolve(tag + "-" + d + ".scr")).append("'/></disk>");
        }
        return b.append("</disks></domainbackup>").toString();
    }

    static Path target(Path dir, String tag, String disk) {
        return dir.resolve(tag + "-" + disk + ".qcow2");
    }

    static String checkpointXml(String name) {
        return "<domaincheckpoint><name>" + name + "</name></domaincheckpoint>";
    }

    /** Times a push (full when {@code since} is null), with a checkpoint when {@code checkpoint} is set. */
    static Map<String, Double> push(BackupSide s, String tag, String since, String checkpoint) throws Exception {
        String xml = pushXml(s.dir(), tag, s.disks(), since);
        String cp = checkpoint == null ? null : checkpointXml(checkpoint);
        Stopwatch sw = Stopwatch.start();
        s.begin(xml, cp);
        sw.lap(START);
        s.awaitPush();
        return sw.lap(Stats.TOTAL).laps();
    }

    /** Times a full pull: start, reading every export, end. */
    static Map<String, Double> pull(BackupSide s, String tag) throws Exception {
        String xml = pullXml(s.dir(), tag, s.disks());
        String socket = s.dir().resolve(tag + ".sock").toString();
        Stopwatch sw = Stopwatch.start();
        s.begin(xml, null);
        sw.lap(START);
        for (String d : s.disks()) {
            Commands.run("nbdcopy", "nbd+unix:///" + d + "?socket=" + socket, "null:");
        }
        sw.lap(READ);
        s.endPull();
        return sw.lap(Stats.TOTAL).laps();
    }

    /**
     * Creates {@code n} checkpoints (mean time per create), lists them {@link #LISTS} times (median), deletes them
     * newest first (mean time per delete); returns the three figures by step name.
     *
     * @throws IllegalStateException when a list does not show exactly the created checkpoints
     */
    static Map<String, Double> checkpoints(BackupSide s, String tag, int n) throws Exception {
        List<String> names = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String name = String.format("%s-%04d", tag, i);
            s.createCheckpoint(name);
            names.add(name);
        }
        double create = (System.nanoTime() - t0) / 1e9 / n;
        List<Double> lists = new ArrayList<>();
        for (int i = 0; i < LISTS; i++) {
            long t = System.nanoTime();
            List<String> listed = s.listCheckpoints();
            lists.add((System.nanoTime() - t) / 1e9);
            if (listed.size() != n || !listed.containsAll(names)) {
                throw new IllegalStateException(s.id() + ": listed " + listed.size() + " checkpoints, not the " + n
                        + " created");
            }
        }
        long t1 = System.nanoTime();
        for (int i = n - 1; i >= 0; i--) {
            s.deleteCheckpoint(names.get(i));
        }
        double delete = (System.nanoTime() - t1) / 1e9 / n;
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(CHECKPOINT_CREATE, create);
        out.put(CHECKPOINT_LIST, Stats.of(lists).median());
        out.put(CHECKPOINT_DELETE, delete);
        return out;
    }
}
