// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.virtbackup.xml.model.XmlNode;
import org.xml.sax.Attributes;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Captures, during the same parse, the subtrees JAXB should not bind (the embedded {@code <domain>},
 * {@code <privateData>}) as order-preserving {@link XmlNode}s: JAXB's {@code @XmlAnyElement} would go through
 * a DOM, which reorders attributes.
 *
 * <p>Subtrees are selected by plain path ({@code domainbackup/disks/disk/scratch/privateData}) and returned by
 * indexed path ({@code domainbackup[0]/disks[0]/disk[1]/scratch[0]/privateData[0]}), see {@link PathTracker}.
 */
public final class SubtreeCapturer extends DefaultHandler {
    private final Set<String> wanted;
    private final PathTracker path = new PathTracker();
    private final Map<String, XmlNode> captured = new LinkedHashMap<>();
    private TreeBuilder builder;
    private int builderDepth;
    private String builderKey;
    /** Namespace declarations arrive before the start tag that carries them. */
    private final List<String[]> pendingPrefixes = new ArrayList<>();

    public SubtreeCapturer(Set<String> wantedPaths) {
        this.wanted = Set.copyOf(wantedPaths);
    }

    /** Captured subtrees by indexed path, in document order. */
    public Map<String, XmlNode> captured() {
        return captured;
    }

    @Override
    public void startPrefixMapping(String prefix, String uri) {
        pendingPrefixes.add(new String[] {prefix, uri});
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes atts) {
        path.push(localName);
        if (builder == null && wanted.contains(path.plain())) {
            builder = new TreeBuilder();
            builderDepth = 0;
            builderKey = path.indexed();
        }
        if (builder != null) {
            builderDepth++;
            for (String[] p : pendingPrefixes) {
                builder.startPrefixMapping(p[0], p[1]);
            }
            builder.startElement(uri, localName, qName, atts);
        }
        pendingPrefixes.clear();
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
        if (builder != null) {
            builder.endElement(uri, localName, qName);
            if (--builderDepth == 0) {
                captured.put(builderKey, builder.root().orElseThrow());
                builder = null;
            }
        }
        path.pop();
    }

    @Override
    public void characters(char[] ch, int start, int length) {
        if (builder != null) {
            builder.characters(ch, start, length);
        }
    }
}
