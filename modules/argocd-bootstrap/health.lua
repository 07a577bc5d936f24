-- Health of an Argo CD Application as seen by its parent app-of-apps: Argo CD 1.8 dropped
-- it, so sync waves between child Applications would advance before the previous wave is
-- healthy. The child's own health, once it reports one, is its health here.
local health = { status = "Progressing", message = "waiting for the Application to report its health" }
if obj.status ~= nil and obj.status.health ~= nil and obj.status.health.status ~= nil then
  health.status = obj.status.health.status
  health.message = obj.status.health.message or ""
end
return health
