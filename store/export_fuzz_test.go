package store

// The cleaning of form fields and the card alphabet, for the fuzz tests
// (token_fuzz_test.go, validate_fuzz_test.go), which test them from
// outside as the forms use them.
var (
	CleanText     = cleanText
	CleanLines    = cleanLines
	RequiredText  = requiredText
	OptionalEmail = optionalEmail
	CleanPhone    = cleanPhone
	ValidLang     = validLang
	SearchText    = searchText
)

// CodeAlphabet is the check codes' alphabet.
const CodeAlphabet = codeAlphabet

// TokenFromBytes is NewToken with its 16 bytes given, so that a fuzz test
// can make the same token again.
func TokenFromBytes(b [16]byte) string { return crockford.EncodeToString(b[:]) }

// CheckCodeFromBytes is newCheckCode with its bytes given.
func CheckCodeFromBytes(b [CheckCodeLen]byte) string {
	out := make([]byte, CheckCodeLen)
	for i, v := range b {
		out[i] = codeAlphabet[int(v)%len(codeAlphabet)]
	}
	return string(out)
}
