// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.xml.internal.jaxb;

import jakarta.xml.bind.JAXBContext;
import jakarta.xml.bind.JAXBException;
import jakarta.xml.bind.Marshaller;
import jakarta.xml.bind.UnmarshallerHandler;
import java.util.Map;
import org.virtbackup.xml.internal.InjectingHandler;
import org.virtbackup.xml.internal.LibvirtStyleWriter;
import org.virtbackup.xml.model.XmlNode;

/** The one JAXB context of the module and the two operations on it. */
final class Jaxb {
    private static final JAXBContext CONTEXT = createContext();

    private Jaxb() {
    }

    /** A fresh SAX sink that unmarshals a backup or checkpoint document. */
    static UnmarshallerHandler newUnmarshallerHandler() {
        try {
            return CONTEXT.createUnmarshaller().getUnmarshallerHandler();
        } catch (JAXBException e) {
            throw new IllegalStateException("cannot create a JAXB unmarshaller", e);
        }
    }

    /** The object an unmarshaller handler built, after a successful parse. */
    static Object result(UnmarshallerHandler handler) {
        try {
            return handler.getResult();
        } catch (JAXBException e) {
            throw new IllegalStateException("JAXB produced no result after a successful parse", e);
        }
    }

    /**
     * Marshals {@code binding} in libvirt's style, appending {@code injections} (indexed path to subtree) as
     * last children of their elements.
     */
    static String format(Object binding, Map<String, XmlNode> injections) {
        LibvirtStyleWriter writer = new LibvirtStyleWriter();
        try {
            Marshaller m = CONTEXT.createMarshaller();
            m.setProperty(Marshaller.JAXB_FRAGMENT, Boolean.TRUE);
            m.marshal(binding, new InjectingHandler(writer, injections));
        } catch (JAXBException e) {
            throw new IllegalStateException("cannot marshal " + binding.getClass().getSimpleName(), e);
        }
        return writer.result();
    }

    private static JAXBContext createContext() {
        try {
            return JAXBContext.newInstance(BackupBinding.class, CheckpointBinding.class);
        } catch (JAXBException e) {
            throw new IllegalStateException("cannot create the JAXB context", e);
        }
    }
}
