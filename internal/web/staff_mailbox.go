package web

import (
	"net/http"
	"net/url"
	"strconv"

	"portico/internal/domain"
	"portico/internal/store"
)

type mailboxPage struct {
	Page
	Mails []store.DevMail
	Info  domain.PageInfo
	URL   *url.URL
}

// devMailbox serves GET /app/dev/mailbox?page=: the mail demo mode delivered for
// the staff member's company, newest first.
func (s *Server) devMailbox(w http.ResponseWriter, r *http.Request) error {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	mails, info, err := s.staffView(r).DevMailbox(r.Context(), domain.ListOptions{Page: page, PerPage: 10})
	if err != nil {
		return err
	}
	p := &mailboxPage{Page: s.page(r, "Mailbox"), Mails: mails, Info: info, URL: r.URL}
	p.Nav = "mailbox"
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "mailbox", p)
	return nil
}
