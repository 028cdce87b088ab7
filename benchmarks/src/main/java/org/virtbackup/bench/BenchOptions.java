// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --name value} options of one benchmark, every one with a default; {@link #parse} rejects unknown
 * names and missing values. Typed getters check the value.
 */
final class BenchOptions {
    private final String benchmark;
    private final Map<String, String> values;

    private BenchOptions(String benchmark, Map<String, String> values) {
        this.benchmark = benchmark;
        this.values = values;
    }

    /**
     * Parses {@code args} (the first one is the benchmark's name) against {@code defaults}.
     *
     * @throws IllegalArgumentException for an unknown option or one without a value
     */
    static BenchOptions parse(String[] args, Map<String, String> defaults) {
        Map<String, String> v = new LinkedHashMap<>(defaults);
        for (int i = 1; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--") || !defaults.containsKey(name.substring(2))) {
                throw new IllegalArgumentException("unknown option '" + name + "'");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option '" + name + "' needs a value");
            }
            v.put(name.substring(2), args[++i]);
        }
        return new BenchOptions(args.length > 0 ? args[0] : "", v);
    }

    String benchmark() {
        return benchmark;
    }

    /** A whole number of at least {@code min}. */
    long number(String name, long min) {
        long n;
        try {
            n = Long.parseLong(values.get(name).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option '--" + name + "' must be a number, not '" + values.get(name)
                    + "'");
        }
        if (n < min) {
            throw new IllegalArgumentException("option '--" + name + "' must be at least " + min);
        }
        return n;
    }

    int integer(String name, int min) {
        return Math.toIntExact(number(name, min));
    }

    /** A comma-separated list of whole numbers, each at least {@code min}, e.g. {@code 1,4,16}. */
    List<Integer> integers(String name, int min) {
        List<Integer> out = new ArrayList<>();
        for (String s : values.get(name).split(",")) {
            int n;
            try {
                n = Integer.parseInt(s.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option '--" + name + "' must be numbers separated by commas, not '"
                        + values.get(name) + "'");
            }
            if (n < min) {
                throw new IllegalArgumentException("option '--" + name + "': every value must be at least " + min);
            }
            out.add(n);
        }
        return List.copyOf(out);
    }

    Path path(String name) {
        return Path.of(values.get(name));
    }

    String string(String name) {
        return values.get(name);
    }

    /** Every option with its value, for the JSON. */
    Map<String, String> asMap() {
        return Map.copyOf(values);
    }
}
