// Package webtest drives a Drempel Fiber app in tests the way a browser
// does: it keeps cookies, reads the CSRF token from the page it was given
// and posts forms with it.
package webtest

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/web"
)

// NewApp builds an app with the shared web layer; mount adds the area
// under test.
func NewApp(t testing.TB, mount func(app *fiber.App, w *web.Web)) *fiber.App {
	t.Helper()
	tz, _ := time.LoadLocation("Europe/Brussels")
	w, err := web.New(web.Options{TimeZone: tz, DefaultLang: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New(w.Config())
	w.Use(app)
	mount(app, w)
	return app
}

// Client is a browser with a cookie jar.
type Client struct {
	T       testing.TB
	App     *fiber.App
	Cookies map[string]string
	Lang    string // Accept-Language
	csrf    string
}

// NewClient starts a client with no cookies.
func NewClient(t testing.TB, app *fiber.App) *Client {
	return &Client{T: t, App: app, Cookies: map[string]string{}}
}

// Response is a finished request.
type Response struct {
	Status   int
	Body     string
	Header   http.Header
	Location string
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// Do sends a request and keeps the cookies it sets.
func (c *Client) Do(method, path string, form url.Values) Response {
	c.T.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.send(req)
}

// Upload posts a multipart form with one file (none when field is ""),
// the CSRF token and the given name/value pairs.
func (c *Client) Upload(path, field, filename string, data []byte, kv ...string) Response {
	c.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", c.csrf)
	for i := 0; i+1 < len(kv); i += 2 {
		mw.WriteField(kv[i], kv[i+1])
	}
	if field != "" {
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+filename+`"`)
		h.Set("Content-Type", mimeOf(filename))
		fw, err := mw.CreatePart(h)
		if err != nil {
			c.T.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req)
}

func (c *Client) send(req *http.Request) Response {
	c.T.Helper()
	method, path := req.Method, req.URL.Path
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	for k, v := range c.Cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := c.App.Test(req, 30_000)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" || (!ck.Expires.IsZero() && ck.Expires.Before(time.Now())) {
			delete(c.Cookies, ck.Name)
		} else {
			c.Cookies[ck.Name] = ck.Value
		}
	}
	r := Response{Status: res.StatusCode, Body: string(b), Header: res.Header, Location: res.Header.Get("Location")}
	if m := csrfRe.FindStringSubmatch(r.Body); m != nil && m[1] != "" {
		c.csrf = m[1]
	}
	return r
}

// Get fetches a page.
func (c *Client) Get(path string) Response { c.T.Helper(); return c.Do("GET", path, nil) }

// Post sends a form with the CSRF token of the last page fetched.
func (c *Client) Post(path string, form url.Values) Response {
	c.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.csrf)
	}
	return c.Do("POST", path, form)
}

// Form is a shorthand for url.Values from pairs.
func Form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

var idRe = regexp.MustCompile(`\b(kiosk|admin|error|field|role)\.[a-z_]+(\.[a-z_]+)*`)

// MessageIDs lists catalog message ids that leaked into a page untranslated
// (a translation that is missing shows its id).
func MessageIDs(body string) []string {
	var out []string
	for _, ix := range idRe.FindAllStringIndex(body, -1) {
		m := body[ix[0]:ix[1]]
		if ix[0] > 0 && body[ix[0]-1] == '/' {
			continue // a prompt's recording in a URL, not words on screen
		}
		switch m {
		case "kiosk.css", "kiosk.js", "admin.css", "admin.js":
			continue
		}
		out = append(out, m)
	}
	return out
}

func mimeOf(name string) string {
	switch {
	case strings.HasSuffix(name, ".webm"):
		return "audio/webm"
	case strings.HasSuffix(name, ".png"):
		return "image/png"
	case strings.HasSuffix(name, ".csv"):
		return "text/csv"
	}
	return "application/octet-stream"
}

// ScanAndGreet is one kiosk check-in as a benchmark measures it: the scan
// POST with the kiosk page's form token and cookies, then the greeting GET
// with the cookies the scan set. It fails tb on any other answer.
func ScanAndGreet(tb testing.TB, app *fiber.App, csrf string, cookies map[string]string, token string) {
	form := url.Values{"_csrf": {csrf}, "token": {token}}
	req := httptest.NewRequest("POST", "/kiosk/scan", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := app.Test(req, -1)
	if err != nil || res.StatusCode != 303 {
		tb.Fatalf("scan: %v %v", err, res.StatusCode)
	}
	req = httptest.NewRequest("GET", "/kiosk/home", nil)
	for _, ck := range res.Cookies() {
		req.AddCookie(ck)
	}
	res, err = app.Test(req, -1)
	if err != nil || res.StatusCode != 200 {
		tb.Fatalf("greeting: %v %v", err, res.StatusCode)
	}
}
