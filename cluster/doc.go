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
// no-op (Effect.Ignored), so a newer node may add optional events. An
// unknown type without the flag, which a newer node wrote and applies, is
// not refused (this replica would silently diverge) but halts the FSM at
// that entry (ErrCannotApply): it applies nothing more, takes no snapshot,
// and the Node stops Raft and reports the halt in Status until it is
// upgraded and restarted from its data dir, which replays the entry. A
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
// and verified on every read. Copying blobs between nodes is left to the
// node's API (PutExpected checks what arrives against the hash). An event
// must not name a blob that only one node holds: before the driver
// proposes one it pushes the blob (API.ReplicateBlob, PUT /v1/blobs/HASH)
// until, with its own store, a majority of the voters holds it, so the
// majority that commits the event and the one that holds the blob
// overlap and any new leader can find the bytes on a survivor; the
// others copy it lazily.
//
// # HTTP API
//
// API serves one node's view of the league on every node, under versioned
// paths (NewHTTPServer sets the server's timeouts):
//
//	GET  /v1/status       the node's Raft status, the configuration, the peers' API URLs,
//	                      the state hash, counters, active leases and the driver's status
//	GET  /v1/leaderboard  ratings of the recorded results: ?method=bt|elo|… (default bt),
//	                      ?format=json|html (html: the leaderboard page with its heat map)
//	GET  /v1/members      the population, with parameters as blob hashes
//	GET  /v1/matches      the most recent results, newest last (?limit=N)
//	GET  /v1/game         the GameSpec blob the driver stored (what workers play)
//	GET  /v1/blobs/HASH   a blob (policy parameters), verified against its hash
//	PUT  /v1/blobs/HASH   store a blob here (the driver's push), bytes checked
//	                      against HASH, idempotent: BlobPutResponse     (token)
//	POST /v1/results      a played match: ResultRequest                 (token)
//	POST /v1/lease        a match to play: LeaseRequest → LeaseResponse (token)
//	POST /v1/join         add a voter: JoinRequest                      (token)
//	POST /v1/remove       remove a member: RemoveRequest                (token)
//
// Reads are open; every write and membership change needs the cluster
// token as "Authorization: Bearer TOKEN" (Token keeps only its sha256 and
// compares in constant time), and mutual TLS (GenerateCerts, LoadTLS) may
// guard both the API and the Raft transport. Members, matches, the
// leaderboard and the game take ?consistency=local|leader|linearizable
// (the ReadLevel of Node.Read; default local); a follower answers local
// reads itself and forwards the others to the leader. Results and leases
// sent to a follower are forwarded to the leader too, so a worker may talk
// to any node; joins and removals are answered with a 307 redirect to the
// leader instead, which Client follows with the body and the token. A
// request is forwarded at most once (HeaderForwarded), and HeaderNode
// names the node that answered.
//
// Bodies are JSON objects of at most MaxRequestBody bytes without unknown
// fields. Every refusal carries an ErrorResponse, naming the field at
// fault when there is one, and changes nothing:
//
//	400  malformed JSON, an unknown or missing field, a bad query parameter or
//	     hash, blob bytes that do not hash to the path's hash
//	401  missing or wrong token
//	404  unknown endpoint, no such blob here, no game yet, no such member to remove
//	409  a result that contradicts its lease, a match id in use, no opponent
//	     to lease, too many open leases, an empty league
//	413  body too large (a blob: over the node's MaxBlobSize)
//	422  an unknown member, or an event the state machine refused (ErrRejected)
//	502  the leader could not be reached to forward to, or its answer was
//	     lost: a forwarded write may or may not have committed; retry
//	503  no leader known, leadership changed mid-request, or a timeout: retry
//	     (Retry-After: 1); a write may or may not have committed
//
// APIError.Temporary and IsTemporary tell a client which answers to retry.
// Retrying a result is always safe: a match id is applied once, and a
// result whose id the leader has seen is answered as a duplicate without a
// log entry. API.Run keeps the peer directory in sync, copies the blobs
// the league names and this node lacks from the leader or another peer
// (the repair path behind the driver's majority push, so that every node,
// a new leader included, can serve them) and, on the leader, proposes
// ExpireLeases for overdue leases so that their matches are re-issued.
//
// # Driver and workers
//
// A Driver runs leaguesim.Run on the leader: it stores the GameSpec and
// every policy in the blob store, on a majority of the voters
// (DriverConfig.Replicate; it retries, proposing nothing, until one holds
// the blob), and proposes every event (configuration,
// members, its own leases and results, progress, checkpoints) through
// Raft. Its learners' optimiser state lives only in its memory, so it
// trains a league only from empty; a driver that finds members (a
// restart, a new leader) reports DriverSkipped. RunWorker is the other
// side: lease a match from any node, fetch both policies and the game by
// hash (verified, cached), play it with leaguesim.PlayMatch (a pure
// function of the game, the lease and the seed, so the outcome depends on
// the match id, not on who plays it) and submit the result under the
// lease's match id, retrying with backoff until a node answers.
//
// On fail-over the committed log is the truth. The old leader's driver
// stops (DriverStopped, not an error) at its next proposal or leadership
// check, and no node resumes training; the league keeps every event that
// committed, and the new leader keeps issuing leases among the existing
// members, expiring overdue ones and accepting results. A worker whose
// request failed retries at the node it was given, which forwards to the
// new leader; a result whose fate was unknown (a timeout, a lost
// leadership) is resubmitted and counted once, and the lease of a worker
// that vanished expires after APIConfig.LeaseTTL and is re-issued under
// the same match id, so that match too counts once.
//
// # Fault injection and linearizability
//
// FaultNet is a fault schedule shared by a cluster's transports
// (FaultNet.Wrap around each node's transport): partitions (Partition,
// Isolate, Heal) and per-link faults (SetFault: a drop probability and a
// delay with jitter, per RPCKind, for one direction of a link, with
// wildcards). Each message is judged once, at the caller, by the rule of
// its direction; random decisions come from one PCG stream per link
// seeded from the FaultNet's seed, so a schedule replays link by link.
// FaultTransport declines pipelined replication so that every
// AppendEntries passes the rules in order; a lost message fails with
// ErrFaultDropped whether the request or the reply was lost, as on a real
// network.
//
// History records what clients did while faults were injected: result
// submissions (OpRecord, ending as StatusNew, StatusDuplicate or, when the
// client cannot know, StatusUnknown) and linearizable reads of which match
// ids are recorded (OpRead), with their invocation and response times;
// RecordStatus classifies a proposal's outcome and leaves out those that
// certainly changed nothing. CheckHistory runs porcupine over the history
// with ResultModel, the sequential specification of one match id
// (recorded or not; the first acknowledged record is new, later ones are
// duplicates; an unknown record may take effect at any time after its
// call), partitioned by match id. With exactly-once and equal-state-hash
// checks on every node after the faults heal, this is what the fault
// tests assert.
package cluster
