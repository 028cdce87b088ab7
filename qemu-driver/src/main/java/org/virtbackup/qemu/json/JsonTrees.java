// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON text to and from Jackson's tree nodes, with jackson-core's streaming parser and generator: the codec of
 * the QMP wire and of the driver's state files. Not an {@code ObjectMapper}: setting one up costs a fresh process
 * about 50 ms (measured cold: 49–56 ms, against 4 ms for a {@link JsonFactory}), which every CLI verb would pay.
 * The trees are what {@code ObjectMapper.readTree} makes (int, long or big integer nodes by size, double nodes
 * for fractions, the last of duplicate keys), and the pretty form is what its {@code INDENT_OUTPUT} writes.
 * (A tree's own {@code toString()} sets up an {@code ObjectMapper}: not on a hot path.)
 */
public final class JsonTrees {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTrees() {
    }

    /** {@code value} as compact JSON, UTF-8. */
    public static byte[] compact(JsonNode value) {
        return format(value, false).toByteArray();
    }

    /** {@code value} as compact JSON and a final newline. */
    public static String line(JsonNode value) {
        return new String(compact(value), StandardCharsets.UTF_8) + "\n";
    }

    /** {@code value} as indented JSON (two spaces, {@code "key" : value}) and a final newline. */
    public static String pretty(JsonNode value) {
        ByteArrayOutputStream out = format(value, true);
        out.write('\n');
        return out.toString(StandardCharsets.UTF_8);
    }

    private static ByteArrayOutputStream format(JsonNode value, boolean indent) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (indent) {
                g.useDefaultPrettyPrinter();
            }
            write(g, value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Parses one JSON value, the whole of {@code text}.
     *
     * @throws JsonProcessingException when the text is not exactly one JSON value
     */
    public static JsonNode parse(String text) throws JsonProcessingException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new JsonParseException(p, "no JSON value");
            }
            JsonNode value = read(p, first);
            if (p.nextToken() != null) {
                throw new JsonParseException(p, "more than one JSON value");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("reading a string failed", e); // a String source has no I/O to fail
        }
    }

    private static JsonNode read(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = NODES.objectNode();
                for (JsonToken k = p.nextToken(); k == JsonToken.FIELD_NAME; k = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, read(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    a.add(read(p, e));
                }
                return a;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return NODES.numberNode(p.getIntValue());
                    case LONG:
                        return NODES.numberNode(p.getLongValue());
                    default:
                        return NODES.numberNode(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new JsonParseException(p, "unexpected " + t);
        }
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT:
                g.writeStartObject();
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    g.writeFieldName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
                break;
            case ARRAY:
                g.writeStartArray();
                for (JsonNode e : n) {
                    write(g, e);
                }
                g.writeEndArray();
                break;
            case STRING:
                g.writeString(n.textValue());
                break;
            case NUMBER:
                writeNumber(g, n);
                break;
            case BOOLEAN:
                g.writeBoolean(n.booleanValue());
                break;
            case NULL:
            case MISSING:
                g.writeNull();
                break;
            default:
                throw new IOException("JSON holds no " + n.getNodeType() + " node");
        }
    }

    private static void writeNumber(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.numberType()) {
            case INT:
                g.writeNumber(n.intValue());
                break;
            case LONG:
                g.writeNumber(n.longValue());
                break;
            case BIG_INTEGER:
                g.writeNumber(n.bigIntegerValue());
                break;
            case BIG_DECIMAL:
                g.writeNumber(n.decimalValue());
                break;
            default:
                g.writeNumber(n.doubleValue());
                break;
        }
    }
}
