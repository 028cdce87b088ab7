// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.cli;

import java.util.Locale;
import java.util.Map;
import org.virtbackup.api.JobInfo;
import org.virtbackup.api.JobState;

/** Prints job statistics as virsh's {@code domjobinfo} does, or as JSON. */
final class JobInfoFormat {

    private JobInfoFormat() {
    }

    /** virsh's layout: 17-column labels, sizes with three decimals and binary units. */
    static String text(JobInfo info) {
        StringBuilder sb = new StringBuilder();
        line(sb, "Job type:", jobType(info));
        if (info.state() == JobState.NONE) {
            return sb.toString();
        }
        line(sb, "Operation:", "Backup");
        sb.append(String.format(Locale.ROOT, "%-17s %-12d ms%n", "Time elapsed:", info.elapsed().toMillis()));
        info.diskProcessed().ifPresent(v -> plain(sb, "File processed:", capacity(v)));
        info.diskRemaining().ifPresent(v -> plain(sb, "File remaining:", capacity(v)));
        info.diskTotal().ifPresent(v -> plain(sb, "File total:", capacity(v)));
        info.diskTempUsed().ifPresent(v -> plain(sb, "Temporary disk space use:", capacity(v)));
        info.diskTempTotal().ifPresent(v -> plain(sb, "Temporary disk space total:", capacity(v)));
        info.errorMessage().ifPresent(v -> plain(sb, "Error message:", v));
        info.notes().forEach(n -> plain(sb, "Note:", n));
        return sb.toString();
    }

    /** The typed parameters as one JSON object, libvirt's names as keys. */
    static String json(JobInfo info) {
        StringBuilder sb = new StringBuilder("{\"type\": \"").append(jobType(info).toLowerCase(Locale.ROOT)).append('"');
        for (Map.Entry<String, Object> e : info.toTypedParameters().entrySet()) {
            sb.append(", \"").append(e.getKey()).append("\": ").append(jsonValue(e.getValue()));
        }
        if (!info.notes().isEmpty()) {
            sb.append(", \"notes\": [");
            for (int i = 0; i < info.notes().size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(jsonValue(info.notes().get(i)));
            }
            sb.append(']');
        }
        return sb.append("}\n").toString();
    }

    private static String jsonValue(Object v) {
        if (v instanceof String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    default -> sb.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
                }
            }
            return sb.append('"').toString();
        }
        return String.valueOf(v);
    }

    /** virsh's job type names: a running backup is an "Unbounded" job. */
    static String jobType(JobInfo info) {
        return switch (info.state()) {
            case NONE -> "None";
            case RUNNING -> "Unbounded";
            case COMPLETED -> "Completed";
            case FAILED -> "Failed";
            case CANCELLED -> "Cancelled";
        };
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "%-17s %-12s%n", label, value));
    }

    /** virsh prints sizes and messages unpadded ("%-17s %-.3lf %s"), unlike the job type. */
    private static void plain(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "%-17s %s%n", label, value));
    }

    /** virsh's {@code vshPrettyCapacity}: the largest binary unit below the value, three decimals. */
    static String capacity(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        // C's printf rounds the exact binary value half to even (1.0625 -> "1.062"); Java's %.3f rounds half up.
        return new java.math.BigDecimal(v).setScale(3, java.math.RoundingMode.HALF_EVEN).toPlainString() + " " + units[u];
    }
}
