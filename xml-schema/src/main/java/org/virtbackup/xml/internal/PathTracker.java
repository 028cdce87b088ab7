// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Tracks where a SAX stream is, as a plain path ({@code domainbackup/disks/disk}) and an indexed path
 * ({@code domainbackup[0]/disks[0]/disk[2]}, each index counting same-named siblings). Capture and injection
 * of verbatim subtrees use the indexed path to pair a subtree with its element.
 */
public final class PathTracker {
    private final Deque<String> plain = new ArrayDeque<>();
    private final Deque<String> indexed = new ArrayDeque<>();
    private final Deque<Map<String, Integer>> counts = new ArrayDeque<>();

    public PathTracker() {
        counts.push(new HashMap<>());
    }

    /** Enters element {@code localName}. */
    public void push(String localName) {
        int n = counts.peek().merge(localName, 1, Integer::sum) - 1;
        counts.push(new HashMap<>());
        plain.addLast(localName);
        indexed.addLast(localName + "[" + n + "]");
    }

    /** Leaves the current element. */
    public void pop() {
        counts.pop();
        plain.removeLast();
        indexed.removeLast();
    }

    /** The plain path of the current element. */
    public String plain() {
        return String.join("/", plain);
    }

    /** The indexed path of the current element. */
    public String indexed() {
        return String.join("/", indexed);
    }

    /** The indexed path of the {@code index}-th disk of a {@code <disks>} list under {@code root}. */
    public static String disk(String root, int index) {
        return root + "[0]/disks[0]/disk[" + index + "]";
    }
}
