package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/drempel/drempel/store"
	"github.com/drempel/drempel/web"
	"github.com/drempel/drempel/web/printing"
)

func userAddCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var db dbFlags
	var email, role, name, lang string
	fs := newFlagSet("user add", stderr, "Usage: drempel user add --email E --role admin|staff|facilitator|coordinator\nThe password is read from the terminal, or from the first line of stdin.\n")
	db.register(fs)
	fs.StringVar(&email, "email", "", "the account's email address (required)")
	fs.StringVar(&role, "role", "staff", "admin, staff, facilitator or coordinator")
	fs.StringVar(&name, "name", "", "display name")
	fs.StringVar(&lang, "lang", "nl", "language of the admin panel: nl, fr or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pw, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, store.UserInput{Email: email, Name: name, Role: store.Role(role), Password: pw, Lang: lang})
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(stdout, "added %s (%s)\n", u.Email, u.Role)
	return nil
}

func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func memberAddCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var db dbFlags
	var name, lang, card, phone, email string
	fs := newFlagSet("member add", stderr, "Usage: drempel member add --name N --lang L [--card FILE.pdf]\n")
	db.register(fs)
	fs.StringVar(&name, "name", "", "nickname or first name (required)")
	fs.StringVar(&lang, "lang", "", "preferred language code, e.g. nl, fr, en, ar, ti, prs, uk (required)")
	fs.StringVar(&card, "card", "", "write the printable card to this PDF file")
	fs.StringVar(&phone, "phone", "", "phone number (optional)")
	fs.StringVar(&email, "member-email", "", "email address (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, ok := web.LookupLanguage(lang); !ok {
		var codes []string
		for _, l := range web.Languages {
			codes = append(codes, l.Code)
		}
		return fmt.Errorf("--lang must be one of %s", strings.Join(codes, ", "))
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.EnsureSite(ctx, "Drempel", "Europe/Brussels"); err != nil {
		return err
	}
	m, err := st.CreateMember(ctx, store.MemberInput{Nickname: name, Lang: lang, Phone: phone, Email: email})
	if err != nil {
		return explain(err)
	}
	if card != "" {
		org, _ := st.Setting(ctx, store.SettingOrgName)
		f, err := os.Create(card)
		if err != nil {
			return err
		}
		face := printing.CardFace{Token: m.Card.Token, CheckCode: m.Card.CheckCode, Nickname: m.Nickname, OrgName: org}
		if err := printing.WriteCardsPDF(f, []printing.CardFace{face}, printing.Single); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "member %d registered, check code %s\n", m.ID, store.FormatCheckCode(m.Card.CheckCode))
	return nil
}

// explain turns a validation error into words for the terminal.
func explain(err error) error {
	if fe, ok := store.AsFieldError(err); ok {
		return fmt.Errorf("%s: %s", fe.Field, strings.ReplaceAll(fe.Code, "_", " "))
	}
	return err
}
