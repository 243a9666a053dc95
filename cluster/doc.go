// Package cluster replicates a league across machines with Raft
// (hashicorp/raft): a group of nodes behaves like one league.State that
// survives the loss of a minority, and the same code runs as a single
// embedded node.
//
// # State machine
//
// FSM is the Raft finite-state machine. Each log command is one event in
// the format of league.EncodeEvent (a type byte, with
// league.FlagIgnoreUnknown for optional types, and a msgpack map), applied
// by league.State.Apply in log order. The response of an entry is its
// league.Effect, or an error wrapping ErrRejected when the entry did not
// decode or the state refused the event; a refused event changes nothing,
// and an unknown event type flagged ignore-if-unknown is applied as a
// no-op (Effect.Ignored), so a newer node may add optional events. A
// result whose match id was recorded before is a no-op reported as
// Effect.Duplicate, which makes retried results safe. The FSM implements
// raft.BatchingFSM, taking its lock once per batch. Applying reads no
// clock and iterates no map where order matters, so equal logs give equal
// states (FSM.StateHash, the sha256 of the state's canonical encoding).
// Snapshots are that encoding behind a small header carrying the applied
// index; Restore checks every invariant of what it reads.
//
// # Nodes
//
// A Node is one Raft server over an FSM. NewNode opens, under
// Config.DataDir, the log and stable store (raft-boltdb/v2, raft.db), the
// file snapshot store (snapshots/) and the blob store (blobs/), and a TCP
// transport on Config.RaftAddr unless Config.Transport supplies one (an
// in-memory transport in tests, a TLS stream layer in production). With
// Config.Bootstrap a new data dir becomes a single-voter cluster; an
// existing one restarts from its latest snapshot and log; otherwise the
// node waits for the leader to add it (AddVoter).
//
// Propose encodes an event, appends it through the leader, waits until it
// is committed and applied locally, and returns its effect. On a follower
// it fails with a *NotLeaderError (errors.Is ErrNotLeader) naming the
// leader, so a caller can redirect. Reads come from the local state (View,
// State, Member…) or, through Read, at one of three levels: ReadLocal (any
// node, possibly stale), ReadLeader (the node that believes it leads) and
// ReadLinearizable (after a barrier entry commits). Membership:
// AddVoter, RemoveServer, Servers, TransferLeadership; Status reports the
// leader, term and indexes. A Node implements leaguesim.League, so
// leaguesim.Run can drive a replicated league exactly as it drives a
// league.State.
//
// # Blobs
//
// Large payloads (policy parameters) stay out of the log: events carry
// their sha256 (league.Hash) and BlobStore keeps the bytes beside the log,
// one file per hash, written atomically (temporary file, fsync, rename)
// and verified on every read. Fetching a missing blob from a peer is left
// to the node's API (PutExpected checks what arrives against the hash).
package cluster
