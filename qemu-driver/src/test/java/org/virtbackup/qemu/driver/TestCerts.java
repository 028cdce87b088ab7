// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.driver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away x509 setup made with GnuTLS's {@code certtool}: a CA, a server certificate for 127.0.0.1 and
 * localhost, and a client certificate, in the layouts the two sides expect.
 *
 * @param serverDir QEMU {@code tls-creds-x509} (endpoint server): {@code ca-cert.pem}, {@code server-cert.pem},
 *     {@code server-key.pem}
 * @param clientDir libnbd {@code tls-certificates}: {@code ca-cert.pem}, {@code client-cert.pem},
 *     {@code client-key.pem}
 * @param caOnlyDir a client that trusts the CA but has no certificate of its own
 */
record TestCerts(Path serverDir, Path clientDir, Path caOnlyDir) {

    static TestCerts generate(Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path server = Files.createDirectories(dir.resolve("server"));
        Path client = Files.createDirectories(dir.resolve("client"));
        Path caOnly = Files.createDirectories(dir.resolve("ca-only"));
        Path caKey = key(work.resolve("ca-key.pem"));
        Path ca = work.resolve("ca-cert.pem");
        certtool(List.of("--generate-self-signed", "--load-privkey", caKey.toString()),
                template(work, "ca", "cn = \"virtbackup test CA\"\nca\ncert_signing_authority\n"), ca);
        for (Path d : List.of(server, client, caOnly)) {
            Files.copy(ca, d.resolve("ca-cert.pem"));
        }
        signed(work, ca, caKey, server.resolve("server-key.pem"), server.resolve("server-cert.pem"),
                "cn = \"localhost\"\ndns_name = \"localhost\"\nip_address = \"127.0.0.1\"\ntls_www_server\n"
                        + "encryption_key\nsigning_key\n");
        signed(work, ca, caKey, client.resolve("client-key.pem"), client.resolve("client-cert.pem"),
                "cn = \"virtbackup test client\"\ntls_www_client\nencryption_key\nsigning_key\n");
        return new TestCerts(server, client, caOnly);
    }

    private static void signed(Path work, Path ca, Path caKey, Path key, Path cert, String body) throws Exception {
        key(key);
        certtool(List.of("--generate-certificate", "--load-privkey", key.toString(), "--load-ca-certificate",
                ca.toString(), "--load-ca-privkey", caKey.toString()),
                template(work, cert.getFileName().toString(), body), cert);
    }

    private static Path key(Path out) throws Exception {
        NbdClients.run(List.of("certtool", "--generate-privkey", "--key-type", "rsa", "--bits", "2048",
                "--outfile", out.toString())).ok();
        return out;
    }

    private static Path template(Path work, String name, String body) throws Exception {
        return Files.writeString(work.resolve(name + ".info"), "expiration_days = 2\n" + body);
    }

    private static void certtool(List<String> args, Path template, Path out) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("certtool"));
        cmd.addAll(args);
        cmd.addAll(List.of("--template", template.toString(), "--outfile", out.toString()));
        NbdClients.run(cmd).ok();
    }
}
