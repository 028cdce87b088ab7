// SPDX-License-Identifier: Apache-2.0
package org.virtbackup.qemu.launch;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The result of {@code qemu-img check --output=json}.
 *
 * @param exitCode 0 clean, 1 check failed internally, 2 corruptions, 3 leaks only (qemu-img(1))
 * @param corruptions corrupted clusters found
 * @param leaks leaked clusters found
 * @param checkErrors errors that stopped parts of the check
 * @param raw the JSON printed, or a missing node when qemu-img printed none
 */
public record ImageCheck(int exitCode, long corruptions, long leaks, long checkErrors, JsonNode raw) {

    /** No corruptions, leaks or check errors. */
    public boolean isClean() {
        return exitCode == 0 && corruptions == 0 && leaks == 0 && checkErrors == 0;
    }
}
