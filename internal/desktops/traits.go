package desktops

import (
	"strconv"
	"strings"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
)

// traits are what every desktop of a pool shares, drawn from the seed and
// the pool's place: identical on every call and every route.
type traits struct {
	id, subnet, vpc, image, securityGroup string
	prefix                                string // of computer names
	product                               *product
	os                                    *osImage
	zone                                  string // availability zone
	created                               int64  // unix ms of the pool's creation
	step                                  int64  // ms between two desktops' creation
	prepaid                               bool
	internet                              bool
	dataDisk                              int32 // GB, 0: none
	tags                                  [2][2]string
}

type product struct {
	id, flavor, packageType, cpu, memory, desc string
}

var products = []product{
	{"workspace.x86.ultimate.large2", "s6.large.2", "ultimate", "2", "4096", "2 vCPUs | 4 GB memory"},
	{"workspace.x86.ultimate.xlarge2", "s6.xlarge.2", "ultimate", "4", "8192", "4 vCPUs | 8 GB memory"},
	{"workspace.x86.enterprise.xlarge4", "c6.xlarge.4", "enterprise", "4", "16384", "4 vCPUs | 16 GB memory"},
	{"workspace.x86.general.large2", "s6.large.2", "general", "2", "4096", "2 vCPUs | 4 GB memory"},
}

type osImage struct {
	osType, version, imageName, desktopVersion string
}

var images = []osImage{
	{"Windows", "Windows 10 Enterprise 64bit", "Workspace_Windows10_22H2_64bit", "Windows 10 22H2"},
	{"Windows", "Windows Server 2019 Datacenter 64bit", "Workspace_WinServer2019_64bit", "Windows Server 2019"},
	{"Windows", "Windows 11 Enterprise 64bit", "Workspace_Windows11_23H2_64bit", "Windows 11 23H2"},
	{"Linux", "UOS 20 Professional 64bit", "Workspace_UOS20_64bit", "UOS 20"},
}

// regionOf guesses a region from the fleet's time zone, for availability
// zones that look local.
func regionOf(loc *time.Location) string {
	if loc == nil {
		return "cn-north-4"
	}
	switch loc.String() {
	case "Asia/Shanghai":
		return "cn-east-3"
	case "Europe/Paris", "Europe/Berlin", "Europe/London", "Europe/Madrid":
		return "eu-west-0"
	case "Asia/Singapore":
		return "ap-southeast-3"
	}
	return "cn-north-4"
}

// traitsOf draws pool p's traits; seen holds the computer-name prefixes of
// the pools before it, so that no two pools share one.
func (v *View) traitsOf(p *pool, seen map[string]bool) traits {
	h := fixtures.Mix(v.seed, saltPool, uint64(p.index))
	draw := func(salt uint64) uint64 { return fixtures.Mix(int64(h), salt) }
	t := traits{
		id: uuid(draw(1), draw(2)), subnet: uuid(draw(3), draw(4)), vpc: uuid(draw(5), draw(6)),
		image: uuid(draw(7), draw(8)), securityGroup: uuid(draw(9), draw(10)),
		product:  &products[draw(11)%uint64(len(products))],
		os:       &images[draw(12)%uint64(len(images))],
		zone:     v.region + string(rune('a'+draw(13)%3)),
		prepaid:  draw(14)%10 < 3,
		internet: draw(15)%4 != 0,
	}
	if draw(16)%2 == 0 {
		t.dataDisk = int32(50 * (1 + draw(17)%4))
	}
	// Pools were created on the same afternoon of some day of 2024-2025, a
	// few days apart, their desktops in one batch 40 s apart (a month in all
	// at the most).
	base := time.Date(2024, 1, 8, 6, 0, 0, 0, time.UTC).Add(time.Duration(fixtures.Mix(v.seed, saltPool)%500) * 24 * time.Hour)
	t.created = base.UnixMilli() + int64(p.index)*int64(2*24*time.Hour/time.Millisecond) + int64(draw(18)%(4*3600_000))
	t.step = 40_000
	if month := int64(30 * 24 * 3600_000); p.n > 0 && p.n > month/t.step {
		t.step = month / p.n
	}
	t.prefix = prefixOf(p.name, p.index, seen)
	dept := strings.SplitN(p.name, "-", 2)[0]
	t.tags = [2][2]string{{"department", cut(dept, 43)}, {"cost-center", "cc-" + strconv.FormatUint(1000+draw(19)%9000, 10)}}
	return t
}

// prefixOf is a pool's computer-name prefix: the upper-case letters and
// digits of its name, at most 7, numbered when an earlier pool has it.
func prefixOf(name string, index int, seen map[string]bool) string {
	var b []byte
	for i := 0; i < len(name) && len(b) < 7; i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		b = []byte("WKS")
	}
	s := string(b)
	if seen[s] {
		s += strconv.Itoa(index)
	}
	seen[s] = true
	return s
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// uuid formats 122 random bits as a version-4 UUID.
func uuid(hi, lo uint64) string {
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(3<<62) | 1<<63
	return string(appendUUID(nil, hi, lo))
}

func appendUUID(dst []byte, hi, lo uint64) []byte {
	const hex = "0123456789abcdef"
	var b [36]byte
	k := 0
	for i := 0; i < 32; i++ {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[k] = '-'
			k++
		}
		w := hi
		if i >= 16 {
			w = lo
		}
		b[k] = hex[w>>(60-4*uint(i%16))&0xf]
		k++
	}
	return append(dst, b[:]...)
}

// Desktop ids carry their pool and index, masked, so an id is looked up in
// O(1) and a made-up one is recognised: the high half is a 60-bit hash of
// (seed, pool, index), the low half 62 bits of pool<<40|index xor a mask
// drawn from that hash.
const maxIndex = 1 << 40

func (v *View) desktopID(p *pool, i int64) (hi, lo uint64) {
	if s := p.spec(i); s != nil && s.DesktopID != "" {
		return p.ids[i][0], p.ids[i][1]
	}
	return v.desktopIDDrawn(p, i)
}

// desktopIDDrawn is the id desktop i of p has unless the scenario writes one.
func (v *View) desktopIDDrawn(p *pool, i int64) (hi, lo uint64) {
	h := fixtures.Mix(v.seed, saltID, uint64(p.index), uint64(i)) >> 4
	payload := uint64(p.index)<<40 | uint64(i)
	m := fixtures.Mix(v.seed, saltIDMask, h) >> 2
	hi = (h>>12)<<16 | 0x4000 | h&0xfff
	lo = 1<<63 | (payload^m)&(1<<62-1)
	return hi, lo
}

// lookupID is the desktop an id names, or ok false.
func (v *View) lookupID(id string) (p *pool, i int64, ok bool) {
	if at, ok := v.written["id:"+id]; ok {
		return &v.pools[at.pool], at.i, true
	}
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return nil, 0, false
	}
	var hi, lo uint64
	n := 0
	for k := 0; k < 36; k++ {
		if k == 8 || k == 13 || k == 18 || k == 23 {
			continue
		}
		var d uint64
		switch c := id[k]; {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		default:
			return nil, 0, false
		}
		if n < 16 {
			hi = hi<<4 | d
		} else {
			lo = lo<<4 | d
		}
		n++
	}
	if hi>>12&0xf != 4 || lo>>62 != 2 {
		return nil, 0, false
	}
	h := (hi>>16)<<12 | hi&0xfff
	m := fixtures.Mix(v.seed, saltIDMask, h) >> 2
	payload := (lo ^ m) & (1<<62 - 1)
	pi, i := payload>>40, int64(payload&(maxIndex-1))
	if pi >= uint64(len(v.pools)) || i >= v.pools[pi].n {
		return nil, 0, false
	}
	p = &v.pools[pi]
	if s := p.spec(i); s != nil && s.DesktopID != "" {
		return nil, 0, false // the id written replaces the one drawn
	}
	if wh, wl := v.desktopIDDrawn(p, i); wh != hi || wl != lo {
		return nil, 0, false
	}
	return p, i, true
}

// computerName is the desktop's name: its pool's prefix and its index.
func appendComputerName(dst []byte, p *pool, i int64) []byte {
	if s := p.spec(i); s != nil {
		return append(dst, s.ComputerName...)
	}
	dst = append(dst, p.prefix...)
	dst = append(dst, '-')
	for w := int64(10000); w > 1 && i < w; w /= 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, i, 10)
}

// lookupName is the desktop a computer name names, or ok false.
func (v *View) lookupName(name string) (p *pool, i int64, ok bool) {
	if at, ok := v.written["name:"+name]; ok {
		return &v.pools[at.pool], at.i, true
	}
	dash := strings.LastIndexByte(name, '-')
	if dash < 0 || len(name)-dash < 6 {
		return nil, 0, false
	}
	n, err := strconv.ParseInt(name[dash+1:], 10, 64)
	if err != nil || n < 0 {
		return nil, 0, false
	}
	for k := range v.pools {
		if q := &v.pools[k]; q.prefix == name[:dash] && n < q.n && q.spec(n) == nil {
			if string(appendComputerName(nil, q, n)) == name {
				return q, n, true
			}
		}
	}
	return nil, 0, false
}

var (
	firstNames = []string{"wei", "fang", "lei", "jing", "min", "tao", "yan", "jun", "hui", "xin", "anna", "lucas", "emma", "louis", "chloe", "hugo",
		"sofia", "omar", "maria", "david", "sara", "ali", "nina", "ivan", "lena", "paul", "mei", "chen", "yuki", "ravi", "amir", "ines"}
	lastNames = []string{"zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo",
		"martin", "bernard", "dubois", "durand", "leroy", "moreau", "simon", "laurent", "garcia", "muller", "rossi", "silva", "kim", "tan", "khan", "singh"}
)

// appendUserName is the user of desktop i of pool p (when it has one):
// firstname.lastname and a number, as a directory would make it unique.
func (v *View) appendUserName(dst []byte, p *pool, i int64) []byte {
	if s := p.spec(i); s != nil && s.UserName != "" {
		return append(dst, s.UserName...)
	}
	h := fixtures.Mix(v.seed, saltDesktop, uint64(p.index), uint64(i), 1)
	dst = append(dst, firstNames[h%uint64(len(firstNames))]...)
	dst = append(dst, '.')
	dst = append(dst, lastNames[h>>8%uint64(len(lastNames))]...)
	return strconv.AppendInt(dst, (p.first+i)%100000, 10)
}

// appendIP is the desktop's private address: the view's desktops numbered
// through 10.0.0.0/8, 250 hosts a /24 (the pattern repeats past 16 million).
func appendIP(dst []byte, pos int64) []byte {
	x := uint64(pos) % (250 << 16)
	net, host := x/250, x%250+4
	dst = append(dst, "10."...)
	dst = strconv.AppendUint(dst, net>>8, 10)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, net&0xff, 10)
	dst = append(dst, '.')
	return strconv.AppendUint(dst, host, 10)
}

// appendMAC is a NIC address: the vendor's prefix (a desktop's is
// OpenStack's, fa:16:3e), then three bytes of h.
func appendMAC(dst []byte, vendor string, h uint64, sep byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, vendor...)
	for k := 0; k < 3; k++ {
		b := byte(h >> (8 * k))
		dst = append(dst, sep, hex[b>>4], hex[b&0xf])
	}
	return dst
}
