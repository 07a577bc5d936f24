# Named values for the funcdiff expressions that need a reference (templatestring takes only
# a direct reference to a string). record_funcdiff.py copies this file into console's
# directory; funcdiff_tests.rs evaluates each local with hubctl and offers them as `local`.
locals {
  greeting = "Hello, $${name}!"
  loop     = "%%{ for x in xs }$${x};%%{ endfor }"
  strip    = "%%{ for x in xs ~}\n$${x}\n%%{ endfor ~}"
  cond     = "%%{ if b }yes%%{ else }no%%{ endif }"
  calls    = "$${upper(a)}-$${length(xs)}"
  plain    = "no interpolation"
  empty    = ""
  broken   = "$${"
  outer    = "$${local.greeting}"
  nested   = { t = "$${a}-$${b}" }
  list     = ["$${a}"]
  number   = 5
  secret   = sensitive("$${a}")
  nothing  = null
  recurse  = "$${templatestring(t, {})}"
}
