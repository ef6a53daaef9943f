package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/drempel/drempel/store"
)

const siteKey = "drempel.site"

// SetSite is what the area's middleware calls once it knows the site of a
// request: a kiosk's station, a staff member's current site.
func SetSite(c *fiber.Ctx, s *store.Site) { c.Locals(siteKey, s) }

// SiteOf is the site of the request. Handlers never look for a site of
// their own: the middleware put it here, and its time zone is the only
// time zone.
func SiteOf(c *fiber.Ctx) *store.Site {
	s, _ := c.Locals(siteKey).(*store.Site)
	return s
}
