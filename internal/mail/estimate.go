package mail

// KindEstimateDecision is the mail telling a tenant's people that a client
// accepted or declined an estimate in the portal (data: EstimateDecision).
const KindEstimateDecision = "estimate_decision"

// EstimateDecision is the data of a KindEstimateDecision email. It goes to the
// tenant's notification address, so it may name the client's person; the figures
// arrive formatted, exactly as the estimate prints them.
type EstimateDecision struct {
	CompanyName string // the tenant
	ClientName  string
	Number      string // "EST-2026-0003"
	Title       string // what the estimate is for; may be empty
	Accepted    bool   // false: declined
	ByName      string // the portal user who answered
	ByEmail     string
	At          string // when, in the tenant's time zone: "15 Mar 2026, 14:05"
	Total       string // the grand total: "€1,234.56"
	Comment     string // the client's optional comment
	Link        string // the estimate in the staff app
}

// Verb is "accepted" or "declined".
func (d EstimateDecision) Verb() string {
	if d.Accepted {
		return "accepted"
	}
	return "declined"
}
