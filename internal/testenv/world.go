package testenv

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"portico/internal/access"
	"portico/internal/app"
	"portico/internal/auth"
	"portico/internal/domain"
)

// A world is a small generated universe of tenants, clients, sites, materials,
// portal users with and without site restrictions, protocols and documents. The
// spec is plain data: GenWorld draws one with rapid, BuildWorld creates it through
// the store and the app, and the oracle methods below compute from the spec
// alone — never from the store — what each portal user may see. Further parts
// join by adding fields to TenantSpec and methods to the oracle (invoices and
// estimates: world_billing.go; switches: world_switches.go).

// WorldSpec is a generated world.
type WorldSpec struct {
	Tenants []TenantSpec
}

// TenantSpec is one service company of a world.
type TenantSpec struct {
	Clients   []ClientSpec
	Materials int
	Users     []UserSpec
	Protocols []ProtocolSpec
	Documents []DocumentSpec
	Billing   BillingSpec  // projects, invoices and estimates (world_billing.go)
	Switches  SwitchesSpec // switches on the projects, users' narrowings (world_switches.go)
}

// ClientSpec is a client with its number of sites.
type ClientSpec struct{ Sites int }

// UserSpec is a portal user and their grants.
type UserSpec struct{ Grants []GrantSpec }

// GrantSpec gives access to client Client (an index): all sites when Sites is
// empty, else the listed site indexes of that client.
type GrantSpec struct {
	Client int
	Sites  []int
}

// ProtocolSpec is a protocol at site Site of client Client, performed AgeDays ago,
// using the listed materials.
type ProtocolSpec struct {
	Client, Site int
	Completed    bool
	AgeDays      int
	Materials    []int
}

// DocumentSpec is a safety data sheet of material Material (when Material >= 0),
// or a document of client Client for all sites or the listed ones.
type DocumentSpec struct {
	Material int // -1: a client's document
	Client   int
	AllSites bool
	Sites    []int
	Visible  bool
	Kind     string
}

// ageChoices keep clear of the 24-month edge (about 730 days), so that a second
// passing between building and checking cannot move a protocol across it.
var ageChoices = []int{0, 3, 40, 200, 400, 700, 722, 740, 760, 1000}

// GenWorld draws a small world: one or two tenants, each with up to three
// clients of up to three sites, up to three materials, up to three portal users,
// protocols and documents.
func GenWorld(t *rapid.T) WorldSpec {
	var w WorldSpec
	nt := rapid.IntRange(1, 2).Draw(t, "tenants")
	for ti := range nt {
		var ts TenantSpec
		nc := rapid.IntRange(1, 3).Draw(t, fmt.Sprintf("t%d.clients", ti))
		for ci := range nc {
			ts.Clients = append(ts.Clients, ClientSpec{Sites: rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("t%d.c%d.sites", ti, ci))})
		}
		ts.Materials = rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("t%d.materials", ti))
		nu := rapid.IntRange(1, 3).Draw(t, fmt.Sprintf("t%d.users", ti))
		for ui := range nu {
			var u UserSpec
			clients := rapid.SliceOfNDistinct(rapid.IntRange(0, nc-1), 1, 2, rapid.ID[int]).Draw(t, fmt.Sprintf("t%d.u%d.clients", ti, ui))
			for _, c := range clients {
				g := GrantSpec{Client: c}
				if n := ts.Clients[c].Sites; n > 0 && rapid.Bool().Draw(t, fmt.Sprintf("t%d.u%d.c%d.restricted", ti, ui, c)) {
					g.Sites = rapid.SliceOfNDistinct(rapid.IntRange(0, n-1), 1, n, rapid.ID[int]).Draw(t, fmt.Sprintf("t%d.u%d.c%d.sites", ti, ui, c))
					slices.Sort(g.Sites)
				}
				u.Grants = append(u.Grants, g)
			}
			ts.Users = append(ts.Users, u)
		}
		var withSites []int
		for ci, c := range ts.Clients {
			if c.Sites > 0 {
				withSites = append(withSites, ci)
			}
		}
		if len(withSites) > 0 {
			np := rapid.IntRange(0, 6).Draw(t, fmt.Sprintf("t%d.protocols", ti))
			for pi := range np {
				c := rapid.SampledFrom(withSites).Draw(t, fmt.Sprintf("t%d.p%d.client", ti, pi))
				p := ProtocolSpec{Client: c, Site: rapid.IntRange(0, ts.Clients[c].Sites-1).Draw(t, fmt.Sprintf("t%d.p%d.site", ti, pi)),
					Completed: rapid.Float64Range(0, 1).Draw(t, fmt.Sprintf("t%d.p%d.completed", ti, pi)) < 0.8,
					AgeDays:   rapid.SampledFrom(ageChoices).Draw(t, fmt.Sprintf("t%d.p%d.age", ti, pi))}
				if ts.Materials > 0 {
					p.Materials = rapid.SliceOfNDistinct(rapid.IntRange(0, ts.Materials-1), 0, 2, rapid.ID[int]).Draw(t, fmt.Sprintf("t%d.p%d.materials", ti, pi))
				}
				ts.Protocols = append(ts.Protocols, p)
			}
		}
		nd := rapid.IntRange(0, 5).Draw(t, fmt.Sprintf("t%d.documents", ti))
		for di := range nd {
			d := DocumentSpec{Material: -1, Visible: rapid.Float64Range(0, 1).Draw(t, fmt.Sprintf("t%d.d%d.visible", ti, di)) < 0.75}
			if ts.Materials > 0 && rapid.Bool().Draw(t, fmt.Sprintf("t%d.d%d.sds", ti, di)) {
				d.Material, d.Kind = rapid.IntRange(0, ts.Materials-1).Draw(t, fmt.Sprintf("t%d.d%d.material", ti, di)), domain.DocSDS
			} else {
				d.Kind = rapid.SampledFrom([]string{domain.DocCertificate, domain.DocSiteMap, domain.DocOther}).Draw(t, fmt.Sprintf("t%d.d%d.kind", ti, di))
				d.Client = rapid.IntRange(0, nc-1).Draw(t, fmt.Sprintf("t%d.d%d.client", ti, di))
				n := ts.Clients[d.Client].Sites
				if n == 0 || rapid.Bool().Draw(t, fmt.Sprintf("t%d.d%d.all", ti, di)) {
					d.AllSites = true
				} else {
					d.Sites = rapid.SliceOfNDistinct(rapid.IntRange(0, n-1), 1, n, rapid.ID[int]).Draw(t, fmt.Sprintf("t%d.d%d.sites", ti, di))
				}
			}
			ts.Documents = append(ts.Documents, d)
		}
		ts.Billing = genBilling(t, ti, ts)
		ts.Switches = genSwitches(t, ti, ts)
		w.Tenants = append(w.Tenants, ts)
	}
	return w
}

// World is a built WorldSpec: what the database holds for it, index for index.
type World struct {
	Spec    WorldSpec
	Tenants []*WorldTenant
}

// WorldTenant is a built tenant of a world.
type WorldTenant struct {
	*Tenant
	Clients    []*domain.Client
	Sites      [][]*domain.Site // per client
	Materials  []*domain.Material
	Users      []*domain.PortalUser
	Protocols  []*domain.Protocol
	Documents  []*domain.Document
	FileBodies [][]byte // each document's file, for comparing previews
	Technician *domain.StaffUser
	Billing    *WorldBilling
	Switches   []*domain.Switch // index for index with SwitchesSpec.Switches
}

// BuildWorld creates the spec's world through the store and the app (uploads go
// through the server's file store), in fresh tenants of the server's database.
func (s *Server) BuildWorld(t testing.TB, spec WorldSpec) *World {
	t.Helper()
	ctx := context.Background()
	w := &World{Spec: spec}
	now := s.Store.Now()
	for _, ts := range spec.Tenants {
		tn := s.Tenant(t, "")
		wt := &WorldTenant{Tenant: tn}
		slug := tn.Company.Slug
		wt.Technician = s.StaffUser(t, tn, "tech@"+slug+".test", access.ProtocolsWrite)
		for ci, cs := range ts.Clients {
			c := s.Client(t, tn, fmt.Sprintf("Client %d of %s", ci, slug))
			wt.Clients = append(wt.Clients, c)
			var sites []*domain.Site
			for si := range cs.Sites {
				sites = append(sites, s.Site(t, tn, c, fmt.Sprintf("Site %d.%d of %s", ci, si, slug), "Košice"))
			}
			wt.Sites = append(wt.Sites, sites)
		}
		for mi := range ts.Materials {
			m := &domain.Material{Name: fmt.Sprintf("Material %d of %s", mi, slug), ActiveSubstance: "Bromadiolone", Unit: "g"}
			if err := s.Store.Staff(tn.Staff).CreateMaterial(ctx, m); err != nil {
				t.Fatalf("testenv: material: %v", err)
			}
			wt.Materials = append(wt.Materials, m)
		}
		for ui, us := range ts.Users {
			n := app.NewPortalUser{FirstName: "User", LastName: fmt.Sprint(ui), Email: fmt.Sprintf("u%d@%s.test", ui, slug)}
			for _, g := range us.Grants {
				n.ClientIDs = append(n.ClientIDs, wt.Clients[g.Client].ID)
				for _, si := range g.Sites {
					n.SiteIDs = append(n.SiteIDs, wt.Sites[g.Client][si].ID)
				}
			}
			u, err := s.App.CreatePortalUser(ctx, tn.Staff, n)
			if err != nil {
				t.Fatalf("testenv: portal user: %v", err)
			}
			wt.Users = append(wt.Users, u)
		}
		for _, ps := range ts.Protocols {
			p := &domain.Protocol{ClientID: wt.Clients[ps.Client].ID, SiteID: wt.Sites[ps.Client][ps.Site].ID, TechnicianID: wt.Technician.ID,
				PerformedAt: now.AddDate(0, 0, -ps.AgeDays).Truncate(time.Second), ServiceType: "Rodent control", Findings: "All stations checked."}
			for _, mi := range ps.Materials {
				p.Materials = append(p.Materials, domain.ProtocolMaterial{MaterialID: wt.Materials[mi].ID, Quantity: 10, Unit: "g", Location: "Warehouse"})
			}
			if err := s.Store.Staff(tn.Staff).CreateProtocol(ctx, p); err != nil {
				t.Fatalf("testenv: protocol: %v", err)
			}
			if ps.Completed {
				if err := s.Store.Staff(tn.Staff).CompleteProtocol(ctx, p.ID); err != nil {
					t.Fatalf("testenv: complete protocol: %v", err)
				}
				p.Status = domain.ProtocolCompleted
			}
			wt.Protocols = append(wt.Protocols, p)
		}
		for di, ds := range ts.Documents {
			d := &domain.Document{Kind: ds.Kind, Title: fmt.Sprintf("Document %d of %s", di, slug), AllSites: ds.AllSites, PortalVisible: ds.Visible}
			if ds.Material >= 0 {
				d.MaterialID = wt.Materials[ds.Material].ID
			} else {
				d.ClientID = wt.Clients[ds.Client].ID
				for _, si := range ds.Sites {
					d.SiteIDs = append(d.SiteIDs, wt.Sites[ds.Client][si].ID)
				}
			}
			body := fmt.Appendf(nil, "%%PDF-1.4\n%% document %d of %s\n%%%%EOF\n", di, slug)
			if err := s.App.UploadDocument(ctx, tn.Staff, d, app.Upload{Name: "doc.pdf", Data: body}); err != nil {
				t.Fatalf("testenv: document: %v", err)
			}
			wt.Documents = append(wt.Documents, d)
			wt.FileBodies = append(wt.FileBodies, body)
		}
		wt.Billing = s.buildBilling(t, wt, ts.Billing)
		wt.Switches = s.buildSwitches(t, wt, ts.Switches)
		w.Tenants = append(w.Tenants, wt)
	}
	return w
}

// PortalClient returns a client signed in to the tenant's portal as u, through a
// session made directly in the store (no password check: tests sign in many users).
func (s *Server) PortalClient(t testing.TB, tn *Tenant, u *domain.PortalUser) *Client {
	t.Helper()
	token, hash := auth.NewToken()
	if err := s.Store.CreatePortalSession(context.Background(), tn.Company.ID, u.ID, hash, auth.SessionAbsolute); err != nil {
		t.Fatalf("testenv: portal session: %v", err)
	}
	c := s.NewClient(t)
	// The cookie's name and path are the portal's (web.portalCookie).
	c.SetCookies([]*http.Cookie{{Name: "portico_portal", Value: token, Path: "/portal/" + tn.Company.Slug + "/"}})
	return c
}

// ---- the oracle: what each portal user may see, from the spec alone.

// SeesSite reports whether user ui of tenant ti may see site si of client ci.
func (w *World) SeesSite(ti, ui, ci, si int) bool {
	for _, g := range w.Spec.Tenants[ti].Users[ui].Grants {
		if g.Client == ci && (len(g.Sites) == 0 || slices.Contains(g.Sites, si)) {
			return true
		}
	}
	return false
}

// HasClient reports whether user ui of tenant ti is assigned to client ci.
func (w *World) HasClient(ti, ui, ci int) bool {
	return slices.ContainsFunc(w.Spec.Tenants[ti].Users[ui].Grants, func(g GrantSpec) bool { return g.Client == ci })
}

// SeesProtocol reports whether the user may see protocol pi of their tenant:
// completed, at a site they may see.
func (w *World) SeesProtocol(ti, ui, pi int) bool {
	p := w.Spec.Tenants[ti].Protocols[pi]
	return p.Completed && w.SeesSite(ti, ui, p.Client, p.Site)
}

// recentUse reports whether a completed protocol the user may see, within the
// last 24 months, used material mi — at any site, or only at site (ci, si) when
// ci >= 0.
func (w *World) recentUse(ti, ui, mi, ci, si int) bool {
	for pi, p := range w.Spec.Tenants[ti].Protocols {
		if !w.SeesProtocol(ti, ui, pi) || p.AgeDays > 730 || !slices.Contains(p.Materials, mi) {
			continue
		}
		if ci < 0 || (p.Client == ci && p.Site == si) {
			return true
		}
	}
	return false
}

// SeesDocument reports whether document di of the user's tenant is on their
// Documents page: visible in the portal, and a safety data sheet of a material
// used in the last 24 months in a protocol they may see, or a client document for
// all sites of their client or for a site they may see.
func (w *World) SeesDocument(ti, ui, di int) bool {
	d := w.Spec.Tenants[ti].Documents[di]
	if !d.Visible {
		return false
	}
	if d.Material >= 0 {
		return w.recentUse(ti, ui, d.Material, -1, -1)
	}
	if !w.HasClient(ti, ui, d.Client) {
		return false
	}
	if d.AllSites {
		return true
	}
	return slices.ContainsFunc(d.Sites, func(si int) bool { return w.SeesSite(ti, ui, d.Client, si) })
}

// SiteDocument reports whether document di is among the documents of site (ci,
// si) for the user, who may see the site: the client's documents for all sites or
// this one, and safety data sheets of materials used here in the last 24 months.
func (w *World) SiteDocument(ti, ui, ci, si, di int) bool {
	d := w.Spec.Tenants[ti].Documents[di]
	if !d.Visible {
		return false
	}
	if d.Material >= 0 {
		return w.recentUse(ti, ui, d.Material, ci, si)
	}
	return d.Client == ci && (d.AllSites || slices.Contains(d.Sites, si))
}
