// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.bench;

/** The reference of {@code benchmark cli}: a Java main that does nothing, started with the launcher's JVM options. */
final class CliFloor {
    private CliFloor() {
    }

    public static void main(String[] args) {
        System.out.println("floor");
    }
}
