package access

// Job names the background work a System principal does.
type Job int

const (
	// JobMail is the mail worker: it claims outbox rows of every tenant, reads the
	// recipient of each and mints its one-time link.
	JobMail Job = iota + 1
	// JobSwitches is the switch bus: it matches device messages to switches of every
	// tenant and records their state, availability and command outcomes.
	JobSwitches
)

// System is Portico acting on its own, not for a signed-in person: the mail worker
// or the switch bus. It may do only its job's few things, which the store's views
// for that job offer; it reads no tenant's pages. Its zero value may do nothing.
type System struct {
	job Job
}

// NewSystem returns the principal of a background job. Only the code that starts
// the job calls it (a test in internal/archtest keeps it so).
func NewSystem(job Job) System { return System{job: job} }

// Does reports whether the principal is the given job.
func (s System) Does(job Job) bool { return job != 0 && s.job == job }
