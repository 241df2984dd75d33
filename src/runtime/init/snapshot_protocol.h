/* The kiln-snapshot channel: the constants both ends share (C, for kiln-init, and C++, for
 * runtime/agent.cc). The protocol itself is stated in kiln_init.c's header comment.
 *
 * A step asks kiln for a snapshot over a SOCK_SEQPACKET unix socket pair that kiln makes per
 * exec; kiln-init gives the command the sandbox's end at fd KILN_SNAPSHOT_FD_NUMBER and names it
 * in $KILN_SNAPSHOT_FD. A request is one message of at most KILN_SNAPSHOT_MAX_MESSAGE bytes:
 *   "snapshot" NUL NAME NUL VERSION NUL   (VERSION may be empty: the next minor)
 * carrying, as SCM_RIGHTS, one end of a socket pair the asker made for the answer, which is one
 * message on that socket of at most KILN_SNAPSHOT_MAX_MESSAGE bytes:
 *   "ok " REFERENCE   or   "error " MESSAGE
 * A request without an answer socket is answered, if it is an error, on the channel itself. */
#ifndef KILN_RUNTIME_INIT_SNAPSHOT_PROTOCOL_H_
#define KILN_RUNTIME_INIT_SNAPSHOT_PROTOCOL_H_

#define KILN_SNAPSHOT_FD_ENV "KILN_SNAPSHOT_FD"
#define KILN_SNAPSHOT_FD_NUMBER 1000
#define KILN_SNAPSHOT_MAX_MESSAGE 4096
#define KILN_SNAPSHOT_MAX_NAME 255   /* an OCI repository name's limit */
#define KILN_SNAPSHOT_MAX_VERSION 64 /* "2.*", "1.4.*": far shorter */
#define KILN_SNAPSHOT_VERB "snapshot"

#endif /* KILN_RUNTIME_INIT_SNAPSHOT_PROTOCOL_H_ */
