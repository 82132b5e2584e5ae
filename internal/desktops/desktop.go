package desktops

import (
	"strconv"
	"time"

	"github.com/workspace-mock/mockserver/internal/fixtures"
	"github.com/workspace-mock/mockserver/internal/wire"
)

// desk is one desktop at the view's instant: where it is, its three states,
// and the hash its own traits are drawn from.
type desk struct {
	p                    *pool
	i                    int64
	power, attach, login int
	h                    uint64
	effect               // an action under way: its task, and the status it shows meanwhile
}

func (v *View) desk(p *pool, i int64) desk {
	pw, at, lg := v.baseState(p, i)
	var fx effect
	if v.acts != nil {
		pw, lg, fx = v.acted(p, i, pw, lg)
	}
	return desk{p, i, pw, at, lg, v.deskHash(p, i), fx}
}

// deskHash is what a desktop's own traits are drawn from.
func (v *View) deskHash(p *pool, i int64) uint64 {
	return fixtures.Mix(v.seed, saltDesktop, uint64(p.index), uint64(i))
}

// The wire's words for the states. The counters' "other" power state is
// ERROR; the counters' unknown login state is an empty login_status.
var (
	statusWords = [4]string{fixtures.PowerRunning: "ACTIVE", fixtures.PowerStopped: "SHUTOFF",
		fixtures.PowerHibernated: "HIBERNATED", fixtures.PowerOther: "ERROR"}
	loginWords = [5]string{fixtures.LoginInUse: "CONNECTED", fixtures.LoginReady: "REGISTERED",
		fixtures.LoginDisconnected: "DISCONNECTED", fixtures.LoginUnregistered: "UNREGISTER", fixtures.LoginUnknown: ""}
)

// status: what an action under way or done makes it, else the word a
// hand-written desktop gives (DELETING is "other" too), else the power
// state's.
func (d *desk) status() string {
	if d.effect.status != "" {
		return d.effect.status
	}
	if s := d.p.spec(d.i); s != nil && s.Status != "" {
		return s.Status
	}
	return statusWords[d.power]
}

func (d *desk) loginStatus() string { return loginWords[d.login] }

// attachState: "cannot attach" covers a failed assignment, a failed
// unassignment and a finished unassignment; "in process" both directions.
func (d *desk) attachState() string {
	if s := d.p.spec(d.i); s != nil && s.AttachState != "" {
		return s.AttachState
	}
	switch d.attach {
	case fixtures.AttachAttached:
		return "ATTACHED"
	case fixtures.AttachCannot:
		return [3]string{"ATTACHFAIL", "DEATTACHFAIL", "DEATTACHED"}[d.h>>20%3]
	case fixtures.AttachInProcess:
		return [2]string{"ATTACHING", "DEATTACHING"}[d.h>>20%2]
	}
	return "UNATTACH"
}

// hasUser: an assigned desktop, and one whose user is being (or failed to
// be) taken away.
func (d *desk) hasUser() bool {
	switch d.attachState() {
	case "ATTACHED", "DEATTACHING", "DEATTACHFAIL":
		return true
	}
	return false
}

func (d *desk) maintenance() bool { return d.h%100 == 0 }

func (d *desk) createdMs() int64 {
	return d.p.created + d.i*d.p.step + int64(d.h>>32%uint64(max(d.p.step/4, 1)))
}

func appendTime(dst []byte, ms int64, withMs bool) []byte {
	t := time.UnixMilli(ms).UTC()
	if withMs {
		return t.AppendFormat(dst, "2006-01-02T15:04:05.000Z")
	}
	return t.AppendFormat(dst, "2006-01-02T15:04:05Z")
}

// field appends ,"name": (or "name": first).
func field(dst []byte, name string) []byte {
	if n := len(dst); n > 0 && dst[n-1] != '{' && dst[n-1] != '[' {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, name...)
	return append(dst, '"', ':')
}

func str(dst []byte, name, value string) []byte {
	return wire.AppendString(field(dst, name), value)
}

func boolean(dst []byte, name string, b bool) []byte {
	return strconv.AppendBool(field(dst, name), b)
}

// appendDesktop appends desktop d as a DesktopDetailInfo; full adds what
// only ShowDesktopDetail carries (security groups).
func (v *View) appendDesktop(dst []byte, d *desk, full bool) []byte {
	p := d.p
	// user stays a stack string: made here, not returned by a helper.
	var tmp [64]byte
	user := ""
	if d.hasUser() {
		user = string(v.appendUserName(tmp[:0], p, d.i))
	}
	hi, lo := v.desktopID(p, d.i)
	created := d.createdMs()
	dst = uuidField(append(dst, '{'), "desktop_id", hi, lo)
	dst = appendNames(dst, d)
	dst = appendAddresses(dst, d)
	dst = strList(dst, "user_list", user)
	dst = strList(dst, "user_group_list", "")
	dst = str(dst, "desktop_type", "POOLED")
	dst = p.appendImage(dst)
	dst = appendState(dst, d, created)
	if full {
		dst = p.appendSecurityGroups(dst)
	}
	dst = str(dst, "login_status", d.loginStatus())
	dst = appendUser(dst, d, user)
	dst = str(dst, "product_id", p.product.id)
	dst = v.appendVolumes(dst, d, created)
	if user != "" {
		dst = str(dst, "user_group", p.userGroup())
	}
	dst = v.appendPlacement(dst, d)
	dst = p.appendInternet(dst)
	dst = boolean(dst, "is_attaching_eip", false)
	dst = str(dst, "attach_state", d.attachState())
	dst = str(dst, "enterprise_project_id", "0")
	dst = str(dst, "subnet_id", p.subnet)
	dst = uuidField(dst, "bill_resource_id", hi, lo)
	dst = boolean(dst, "is_freeze", false)
	dst = boolean(dst, "isolated", false)
	return append(dst, '}')
}

func uuidField(dst []byte, name string, hi, lo uint64) []byte {
	dst = append(field(dst, name), '"')
	return append(appendUUID(dst, hi, lo), '"')
}

func timeField(dst []byte, name string, ms int64, withMs bool) []byte {
	return append(appendTime(append(field(dst, name), '"'), ms, withMs), '"')
}

// strList appends a list of value, empty when value is.
func strList(dst []byte, name, value string) []byte {
	dst = append(field(dst, name), '[')
	if value != "" {
		dst = wire.AppendString(dst, value)
	}
	return append(dst, ']')
}

// appendNames: the computer's name is also its OS's host name.
func appendNames(dst []byte, d *desk) []byte {
	var tmp [64]byte
	name := appendComputerName(tmp[:0], d.p, d.i)
	dst = str(dst, "computer_name", string(name))
	return str(dst, "os_host_name", string(name))
}

// appendAddresses appends the desktop's one fixed IPv4 address, three ways.
func appendAddresses(dst []byte, d *desk) []byte {
	var tmp [64]byte
	ip := string(appendIP(tmp[:0], d.p.first+d.i))
	mac := string(appendMAC(tmp[:0], "fa:16:3e", d.h, ':'))
	dst = append(field(dst, "addresses"), '{')
	dst = append(field(dst, d.p.vpc), `[{"addr":`...)
	dst = wire.AppendString(dst, ip)
	dst = append(dst, `,"version":"4","OS-EXT-IPS-MAC:mac_addr":`...)
	dst = wire.AppendString(dst, mac)
	dst = append(dst, `,"OS-EXT-IPS:type":"fixed"}]}`...)
	dst = strList(dst, "ip_addresses", ip)
	return str(dst, "ipv4", ip)
}

// appendImage appends the image's metadata and the flavor.
func (p *pool) appendImage(dst []byte) []byte {
	dst = append(field(dst, "metadata"), '{')
	dst = str(dst, "image_name", p.os.imageName)
	dst = str(dst, "metering.image_id", p.image)
	dst = str(dst, "metering.resourcespeccode", p.product.id)
	dst = str(dst, "metering.resourcetype", "hws.resource.type.workspace.desktop")
	dst = str(dst, "os_bit", "64")
	dst = str(dst, "os_type", p.os.osType)
	dst = str(dst, "desktop_os_version", p.os.desktopVersion)
	dst = append(dst, '}')
	dst = append(field(dst, "flavor"), `{"id":`...)
	dst = wire.AppendString(dst, p.product.flavor)
	return append(dst, `,"links":[]}`...)
}

func appendState(dst []byte, d *desk, created int64) []byte {
	dst = str(dst, "status", d.status())
	dst = str(dst, "task_status", d.task)
	dst = boolean(dst, "in_maintenance_mode", d.maintenance())
	return timeField(dst, "created", created, true)
}

func (p *pool) appendSecurityGroups(dst []byte) []byte {
	dst = append(field(dst, "security_groups"), `[{"id":`...)
	dst = wire.AppendString(dst, p.securityGroup)
	return append(dst, `,"name":"WorkspaceUserSecurityGroup"}]`...)
}

// appendUser appends the user's name and, if there is one, the user.
func appendUser(dst []byte, d *desk, user string) []byte {
	dst = str(dst, "user_name", user)
	dst = append(field(dst, "attach_user_infos"), '[')
	if user != "" {
		dst = append(dst, `{"user_id":`...)
		dst = wire.AppendString(dst, uuid(d.h, d.h*0x9e3779b97f4a7c15))
		dst = str(dst, "user_name", user)
		dst = str(dst, "user_group", d.p.userGroup())
		dst = append(dst, `,"type":"USER"}`...)
	}
	return append(dst, ']')
}

func (p *pool) userGroup() string {
	if p.os.osType == "Linux" {
		return "default"
	}
	return "users"
}

// appendPlacement appends where the desktop is, what it is bought as, and
// its tags.
func (v *View) appendPlacement(dst []byte, d *desk) []byte {
	p := d.p
	dst = str(dst, "availability_zone", p.zone)
	dst = str(dst, "site_type", "CENTER")
	dst = str(dst, "site_name", "")
	dst = p.appendProduct(dst)
	dst = str(dst, "ou_name", "")
	dst = str(dst, "os_version", p.os.version)
	dst = v.appendSID(dst, d.h)
	if p.prepaid {
		dst = str(dst, "order_id", "CS"+strconv.FormatUint(2400000000000000+d.h%100000000000000, 10))
	}
	return p.appendTags(dst)
}

func (p *pool) appendInternet(dst []byte) []byte {
	dst = boolean(dst, "is_support_internet", p.internet)
	mode := ""
	if p.internet {
		mode = "NAT"
		dst = str(dst, "internet_mode", mode)
	}
	return strList(dst, "internet_mode_list", mode)
}

func (p *pool) chargeMode() string {
	if p.prepaid {
		return "0"
	}
	return "1"
}

// The volumes: the system one (0), then at most one data volume (1).
var volumes = [2]struct{ device, kind, suffix string }{
	{"/dev/vda", "SSD", "-sys"},
	{"/dev/vdb", "SAS", "-data"},
}

// appendVolumes appends the 80 GB system volume and the data volume if the
// pool has one.
func (v *View) appendVolumes(dst []byte, d *desk, created int64) []byte {
	dst = v.appendVolume(field(dst, "root_volume"), d, created, 0, 80)
	dst = append(field(dst, "data_volumes"), '[')
	if d.p.dataDisk > 0 {
		dst = v.appendVolume(dst, d, created, 1, d.p.dataDisk)
	}
	return append(dst, ']')
}

func (v *View) appendVolume(dst []byte, d *desk, created int64, n uint64, size int32) []byte {
	vol := &volumes[n]
	id := uuid(fixtures.Mix(int64(d.h), n, 1), fixtures.Mix(int64(d.h), n, 2))
	dst = append(dst, '{')
	dst = str(dst, "type", vol.kind)
	dst = strconv.AppendInt(field(dst, "size"), int64(size), 10)
	dst = str(dst, "device", vol.device)
	dst = str(dst, "id", id)
	dst = str(dst, "volume_id", id)
	dst = timeField(dst, "create_time", created, false)
	name := append(appendComputerName(nil, d.p, d.i), vol.suffix...)
	return append(str(dst, "display_name", string(name)), '}')
}

// sidDomain is the start of a Windows-style security identifier of a
// desktop's machine account: the domain's three numbers, per seed.
func sidDomain(seed int64) string {
	dom := fixtures.Mix(seed, 0x51d)
	b := []byte("S-1-5-21-")
	b = strconv.AppendUint(b, dom%4000000000, 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, dom>>32%4000000000, 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, fixtures.Mix(seed, 0x51e)%4000000000, 10)
	return string(append(b, '-'))
}

// appendSID appends the sid field of the desktop whose hash is h: the
// domain's part and a relative id (digits and dashes: nothing to escape).
func (v *View) appendSID(dst []byte, h uint64) []byte {
	dst = append(field(dst, "sid"), '"')
	dst = append(dst, v.sidDom...)
	return append(strconv.AppendUint(dst, 1100+h%900000, 10), '"')
}

func (p *pool) appendTags(dst []byte) []byte {
	dst = append(field(dst, "tags"), '[')
	for k, tag := range p.tags {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"key":`...)
		dst = wire.AppendString(dst, tag[0])
		dst = append(dst, `,"value":`...)
		dst = append(wire.AppendString(dst, tag[1]), '}')
	}
	return append(dst, ']')
}

// appendProduct appends the pool's product (ProductInfo).
func (p *pool) appendProduct(dst []byte) []byte {
	dst = append(field(dst, "product"), '{')
	dst = str(dst, "product_id", p.product.id)
	dst = str(dst, "flavor_id", p.product.flavor)
	dst = str(dst, "type", "BASE")
	dst = str(dst, "cpu", p.product.cpu)
	dst = str(dst, "memory", p.product.memory)
	dst = str(dst, "descriptions", p.product.desc)
	dst = str(dst, "charge_mode", p.chargeMode())
	dst = str(dst, "architecture", "x86")
	dst = boolean(dst, "is_gpu", false)
	dst = str(dst, "package_type", p.product.packageType)
	dst = str(dst, "status", "normal")
	return append(dst, '}')
}
