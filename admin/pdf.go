package admin

import (
	"bytes"
	"io"

	"github.com/gofiber/fiber/v2"
)

// sendPDF answers with a printout, shown in the browser. It is written
// whole into memory first, so that a failure is an error page, not half a
// PDF behind a 200; and it is never cached, as most printouts name a
// member or hold their figures.
func sendPDF(c *fiber.Ctx, filename string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+filename+`"`)
	return c.Send(buf.Bytes())
}
