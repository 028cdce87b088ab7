// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.fuzz;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Whole-document attacks: DOCTYPE and ENTITY injection (XXE at a canary file and at a local listening
 * socket, parameter entities, billion laughs, external DTDs), processing instructions and schema hints that
 * name remote resources, XInclude, wrong encodings and byte-order marks, and generated element soups.
 *
 * @param canaryUri a file whose content must never show up anywhere
 * @param trapUrl an http URL on 127.0.0.1 that must never be connected to
 */
record Hostile(String canaryUri, String trapUrl) {
    private static final List<Charset> WRONG = List.of(StandardCharsets.ISO_8859_1, StandardCharsets.UTF_16,
            StandardCharsets.UTF_16LE, StandardCharsets.US_ASCII);

    /** One attack on {@code xml}, whose root element is {@code root}; the chosen attack goes to {@code log}. */
    String attack(String xml, String root, Random r, List<String> log) {
        int k = r.nextInt(14);
        String body = stripDeclaration(xml);
        String[] names = {"DOCTYPE", "xxe-file", "xxe-net", "param-entity", "laughs", "external-dtd", "public-dtd",
            "stylesheet-pi", "xinclude", "schema-location", "bom", "declared-encoding", "wrong-decoding", "xml11"};
        log.add("attack " + names[k]);
        switch (k) {
            case 0: return "<!DOCTYPE " + root + ">" + body;
            case 1: return "<!DOCTYPE " + root + " [<!ENTITY x SYSTEM '" + canaryUri + "'>]>" + withRef(body, r);
            case 2: return "<!DOCTYPE " + root + " [<!ENTITY x SYSTEM '" + trapUrl + "x'>]>" + withRef(body, r);
            case 3: return "<!DOCTYPE " + root + " [<!ENTITY % p SYSTEM '" + trapUrl + "p'> %p;]>" + body;
            case 4: return laughs(root) + withRef(body, r);
            case 5: return "<!DOCTYPE " + root + " SYSTEM '" + (r.nextBoolean() ? trapUrl + "d" : canaryUri) + "'>"
                    + body;
            case 6: return "<!DOCTYPE " + root + " PUBLIC '-//fuzz//EN' '" + trapUrl + "pub'>" + body;
            case 7: return "<?xml-stylesheet type='text/xsl' href='" + trapUrl + "xsl'?>" + body;
            case 8: return insertAfterRootStart(body, "<xi:include xmlns:xi='http://www.w3.org/2001/XInclude' href='"
                    + (r.nextBoolean() ? canaryUri : trapUrl + "xi") + "' parse='" + (r.nextBoolean() ? "text" : "xml")
                    + "'/>");
            case 9: return body.replaceFirst("<" + root, "<" + root
                    + " xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance' xsi:noNamespaceSchemaLocation='"
                    + trapUrl + "xsd' xml:base='" + trapUrl + "'");
            case 10: return "\uFEFF" + (r.nextBoolean() ? xml : "\uFEFF" + xml);
            case 11: return "<?xml version='1.0' encoding='" + pick(r, "UTF-16", "UTF-32", "EBCDIC-CP-US", "bogus",
                    "ISO-2022-JP", "") + "'?>" + body;
            case 12: {
                Charset c = WRONG.get(r.nextInt(WRONG.size()));
                return new String(xml.getBytes(r.nextBoolean() ? StandardCharsets.UTF_16 : StandardCharsets.UTF_8), c);
            }
            default: return "<?xml version='1.1'?>" + body.replaceFirst(">", "><!--&#1;-->") + "&#1;";
        }
    }

    private static String laughs(String root) {
        StringBuilder b = new StringBuilder("<!DOCTYPE " + root + " [<!ENTITY x0 'lol'>");
        for (int i = 1; i < 10; i++) {
            b.append("<!ENTITY x").append(i).append(" '").append(("&x" + (i - 1) + ";").repeat(10)).append("'>");
        }
        return b.append("<!ENTITY x '&x9;'>]>").toString();
    }

    private static String withRef(String body, Random r) {
        int close = body.lastIndexOf("</");
        if (close < 0 || r.nextInt(3) == 0) {
            return body.replaceFirst("='[^']*'", "='&x;'");
        }
        return body.substring(0, close) + "<name>&x;</name>" + body.substring(close);
    }

    private static String insertAfterRootStart(String body, String element) {
        int gt = body.indexOf('>');
        return gt < 0 ? body + element : body.substring(0, gt + 1) + element + body.substring(gt + 1);
    }

    private static String stripDeclaration(String xml) {
        return xml.startsWith("<?xml") && xml.indexOf("?>") > 0 ? xml.substring(xml.indexOf("?>") + 2) : xml;
    }

    private static String pick(Random r, String... options) {
        return options[r.nextInt(options.length)];
    }

    /** A random element tree under {@code root} built from the vocabulary: a generated, not mutated, case. */
    static String generate(String root, Vocabulary v, Random r) {
        StringBuilder b = new StringBuilder();
        element(b, root, v, r, 0);
        return b.toString();
    }

    private static void element(StringBuilder b, String name, Vocabulary v, Random r, int depth) {
        b.append('<').append(name);
        int attrs = r.nextInt(4);
        for (int i = 0; i < attrs; i++) {
            String a = v.attributeName(r);
            b.append(' ').append(a).append('=').append(Values.quote(v.value(r, a), r));
        }
        int children = depth > 4 ? 0 : r.nextInt(5);
        if (children == 0 && r.nextBoolean()) {
            b.append("/>");
            return;
        }
        b.append('>');
        if (children == 0) {
            b.append(Values.text(v.value(r, name), r));
        }
        for (int i = 0; i < children; i++) {
            element(b, v.elementName(r), v, r, depth + 1);
        }
        b.append("</").append(name).append('>');
    }
}
