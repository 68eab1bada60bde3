package pskc

import "encoding/xml"

// The namespaces of RFC 6030. Struct tags cannot refer to constants, so the tags below spell
// them out; these constants are for the checks in code and for Write.
const (
	nsPSKC = "urn:ietf:params:xml:ns:keyprov:pskc"
	nsDS   = "http://www.w3.org/2000/09/xmldsig#"
	nsXenc = "http://www.w3.org/2001/04/xmlenc#"
)

// Algorithm identifiers of RFC 6030 and XML Encryption / Signature.
const (
	algTOTP       = "urn:ietf:params:xml:ns:keyprov:pskc:totp"
	algHOTP       = "urn:ietf:params:xml:ns:keyprov:pskc:hotp"
	algAES128CBC  = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
	algHMACSHA1   = "http://www.w3.org/2000/09/xmldsig#hmac-sha1"
	algHMACSHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
)

// xmlContainer is the KeyContainer root. Only the parts this package uses are mapped; other
// elements are ignored. XMLName carries no tag so that a wrong root is reported by Parse with
// a clear message instead of encoding/xml's.
type xmlContainer struct {
	XMLName       xml.Name
	Version       string            `xml:"Version,attr"`
	EncryptionKey *xmlEncryptionKey `xml:"urn:ietf:params:xml:ns:keyprov:pskc EncryptionKey"`
	MACMethod     *xmlMACMethod     `xml:"urn:ietf:params:xml:ns:keyprov:pskc MACMethod"`
	Packages      []xmlPackage      `xml:"urn:ietf:params:xml:ns:keyprov:pskc KeyPackage"`
}

type xmlEncryptionKey struct {
	KeyName    *string   `xml:"http://www.w3.org/2000/09/xmldsig# KeyName"`
	X509Data   *struct{} `xml:"http://www.w3.org/2000/09/xmldsig# X509Data"`
	DerivedKey *struct{} `xml:"urn:ietf:params:xml:ns:keyprov:pskc DerivedKey"`
}

type xmlMACMethod struct {
	Algorithm string        `xml:"Algorithm,attr"`
	MACKey    *xmlEncrypted `xml:"urn:ietf:params:xml:ns:keyprov:pskc MACKey"`
}

type xmlPackage struct {
	DeviceInfo *xmlDeviceInfo `xml:"urn:ietf:params:xml:ns:keyprov:pskc DeviceInfo"`
	Keys       []xmlKey       `xml:"urn:ietf:params:xml:ns:keyprov:pskc Key"`
}

type xmlDeviceInfo struct {
	Manufacturer string `xml:"urn:ietf:params:xml:ns:keyprov:pskc Manufacturer"`
	SerialNo     string `xml:"urn:ietf:params:xml:ns:keyprov:pskc SerialNo"`
	Model        string `xml:"urn:ietf:params:xml:ns:keyprov:pskc Model"`
}

type xmlKey struct {
	ID         string     `xml:"Id,attr"`
	Algorithm  string     `xml:"Algorithm,attr"`
	Parameters *xmlParams `xml:"urn:ietf:params:xml:ns:keyprov:pskc AlgorithmParameters"`
	Data       *xmlData   `xml:"urn:ietf:params:xml:ns:keyprov:pskc Data"`
}

type xmlParams struct {
	Suite          *string            `xml:"urn:ietf:params:xml:ns:keyprov:pskc Suite"`
	ResponseFormat *xmlResponseFormat `xml:"urn:ietf:params:xml:ns:keyprov:pskc ResponseFormat"`
}

type xmlResponseFormat struct {
	Length   string `xml:"Length,attr"`
	Encoding string `xml:"Encoding,attr"`
}

type xmlData struct {
	Secret       *xmlValue `xml:"urn:ietf:params:xml:ns:keyprov:pskc Secret"`
	Time         *xmlValue `xml:"urn:ietf:params:xml:ns:keyprov:pskc Time"`
	TimeInterval *xmlValue `xml:"urn:ietf:params:xml:ns:keyprov:pskc TimeInterval"`
}

// xmlValue is RFC 6030's binaryDataType / intDataType: a plain or an encrypted value, the
// latter with a MAC.
type xmlValue struct {
	PlainValue     *string       `xml:"urn:ietf:params:xml:ns:keyprov:pskc PlainValue"`
	EncryptedValue *xmlEncrypted `xml:"urn:ietf:params:xml:ns:keyprov:pskc EncryptedValue"`
	ValueMAC       *string       `xml:"urn:ietf:params:xml:ns:keyprov:pskc ValueMAC"`
}

// xmlEncrypted is xenc:EncryptedDataType as PSKC uses it (EncryptedValue, MACKey).
type xmlEncrypted struct {
	Method     *xmlMethod     `xml:"http://www.w3.org/2001/04/xmlenc# EncryptionMethod"`
	CipherData *xmlCipherData `xml:"http://www.w3.org/2001/04/xmlenc# CipherData"`
}

type xmlMethod struct {
	Algorithm string `xml:"Algorithm,attr"`
}

type xmlCipherData struct {
	CipherValue *string `xml:"http://www.w3.org/2001/04/xmlenc# CipherValue"`
}
