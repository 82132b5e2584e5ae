package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"time"
)

// tlsConfig is the certificate of the --tls-addr listener: --tls-cert and
// --tls-key when given, else a self-signed one made at start-up for
// localhost, 127.0.0.1 and ::1 (clients skip verification, e.g. the SDK's
// WithIgnoreSSLVerification, or trust a certificate of their own passed with
// the flags). The second result describes the certificate for the start-up log.
func tlsConfig(certFile, keyFile string) (*tls.Config, string, error) {
	var cert tls.Certificate
	var err error
	kind := "files"
	if certFile != "" {
		if cert, err = tls.LoadX509KeyPair(certFile, keyFile); err != nil {
			return nil, "", fmt.Errorf("--tls-cert %s / --tls-key %s: %v", certFile, keyFile, err)
		}
	} else {
		kind = "self-signed"
		if cert, err = selfSigned(time.Now()); err != nil {
			return nil, "", fmt.Errorf("self-signed certificate: %v", err)
		}
	}
	sum := sha256.Sum256(cert.Certificate[0])
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		// HTTP/1.1 only, like the plain listener: the connection guard and
		// the transport faults act on HTTP/1 connections.
		NextProtos: []string{"http/1.1"},
		MinVersion: tls.VersionTLS12,
	}, kind + " sha256:" + hex.EncodeToString(sum[:]), nil
}

// selfSigned makes an ECDSA P-256 certificate (fast to make: start-up stays in
// milliseconds) for the loopback names, valid from a day before now for a year.
func selfSigned(now time.Time) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "workspace mockserver"},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
