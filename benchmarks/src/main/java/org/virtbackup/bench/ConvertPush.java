// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.util.Map;

/**
 * The reference copy: {@code qemu-img convert -U -f qcow2 -O qcow2 source target}, a separate process reading
 * the image QEMU holds (hence {@code -U}; the source is flushed first, untimed). qemu-img's default cache mode
 * for the output is writeback, so it fdatasyncs the target before it exits, as {@code blockdev-del} does.
 */
final class ConvertPush implements PushMethod {
    private final Fixture f;

    ConvertPush(Fixture f) {
        this.f = f;
    }

    @Override
    public String id() {
        return "qemu-img-convert";
    }

    @Override
    public String description() {
        return "qemu-img convert -U -f qcow2 -O qcow2";
    }

    @Override
    public Map<String, Double> run(Path target) throws Exception {
        f.flush();
        Stopwatch sw = Stopwatch.start();
        Commands.run("qemu-img", "convert", "-U", "-f", "qcow2", "-O", "qcow2", f.source.toString(),
                target.toString());
        return sw.lap(Stats.TOTAL).laps();
    }
}
