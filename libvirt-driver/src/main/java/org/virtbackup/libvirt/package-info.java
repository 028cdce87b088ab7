// SPDX-License-Identifier: Apache-2.0
/**
 * The libvirt driver: the public API over a real libvirt (SPEC §10), for libvirt's own URIs
 * ({@code qemu:///system}, {@code qemu:///session}, {@code qemu:///embed?root=DIR}, {@code qemu+ssh://},
 * {@code qemu+tls://}, {@code ?socket=}).
 *
 * <p>Layer: a driver. It may depend on {@code org.virtbackup.api}/{@code spi}, libvirt-java
 * ({@code org.libvirt}) and JNA; nothing of {@code qemu-driver} or {@code xml-schema}: libvirt parses, aligns
 * and keeps the checkpoint metadata itself.
 *
 * <ul>
 *   <li>{@link org.virtbackup.libvirt.LibvirtDriver}: the SPI entry, chosen by URI scheme;</li>
 *   <li>{@link org.virtbackup.libvirt.LibvirtUri}: splits our {@code domain=} off libvirt's URI;</li>
 *   <li>{@link org.virtbackup.libvirt.LibvirtConnection}, {@link org.virtbackup.libvirt.LibvirtDomain},
 *       {@link org.virtbackup.libvirt.LibvirtCheckpoint}, {@link org.virtbackup.libvirt.LibvirtBackupJob}: each
 *       API call mapped onto one libvirt call;</li>
 *   <li>{@link org.virtbackup.libvirt.JobStats}: {@code virDomainGetJobStats}' typed parameters as a
 *       {@link org.virtbackup.api.JobInfo};</li>
 *   <li>{@link org.virtbackup.libvirt.LibvirtErrors}: libvirt's errors as {@link org.virtbackup.api.VirtBackupException}
 *       with the same numbers;</li>
 *   <li>{@link org.virtbackup.libvirt.EventLoop} and {@link org.virtbackup.libvirt.JobCompletedEvents}: libvirt's
 *       default event loop on a thread of ours, and the {@code JOB_COMPLETED} domain event libvirt-java does not
 *       bind (JNA).</li>
 * </ul>
 */
package org.virtbackup.libvirt;
