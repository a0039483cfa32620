package testenv

import "net/http"

// CookiesAt returns the cookies the client would send with a request for path,
// such as a portal session cookie, which is scoped to its tenant's /portal/{slug}/.
func (c *Client) CookiesAt(path string) []*http.Cookie {
	u := c.BaseURL()
	u.Path = path
	return c.hc.Jar.Cookies(u)
}
