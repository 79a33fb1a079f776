-- The Ardour side of tests/native/ardour_test.sh, run by ardour7-lua (Ardour's headless Lua
-- session tool) on the JACK backend of a private jackd that the shell script started.
-- Environment: ARDOUR_TEST_WORK (the work folder: session, hand-shake files), ARDOUR_TEST_ROLL_BEATS
-- (how far the transport rolls), ARDOUR_TEST_ROLL_LIMIT_SECONDS (the wall-clock cap on that).
--
-- Steps, each answered through a file in the work folder (the shell runs the JACK tools):
--   1. a new session at 48 kHz, tempo 120 BPM 4/4 from sample 0, auto-connect off (Ardour 7.3 can
--      deadlock in its auto-connect thread while processors are added; see the reference notes);
--   2. a MIDI track "Pianola" with the plug-in (by URI) as its first processor, input monitored
--      (so the player's MIDI on the track input reaches the plug-in without a recording);
--   3. writes "ready" (the track's MIDI ports, the instance counts), waits for "connected",
--      rolls the transport from sample 0, writes "rolling", rolls until the transport reaches
--      ARDOUR_TEST_ROLL_BEATS (counted in transport samples, not wall-clock seconds: on a loaded
--      machine JACK's synchronous cycles run late and the transport falls behind the clock),
--      stops, writes "stopped", saves and closes the session;
--   4. loads the saved session again and writes "state": the value of the control it changed before
--      the roll (Velocity Scale 0.75), as the reloaded plug-in reports it.
-- ARDOUR_TEST_FORMAT picks the plug-in: lv2 (by URI) or vst3 (by name, VST3_PATH scanned first).
-- Any error ends the run with exit code 1 and one line "ardour_test.lua: FAIL: ..." (the session
-- is closed first: an error left uncaught can leave luasession hanging).
local URI = "https://pianola.dev/plugins/pianola"
local FORMAT = os.getenv("ARDOUR_TEST_FORMAT") or "lv2" -- lv2 | vst3
local work = assert(os.getenv("ARDOUR_TEST_WORK"), "ARDOUR_TEST_WORK is not set")
local roll_beats = tonumber(os.getenv("ARDOUR_TEST_ROLL_BEATS") or "26")
local roll_limit_seconds = tonumber(os.getenv("ARDOUR_TEST_ROLL_LIMIT_SECONDS") or "60")
local RATE, BPM = 48000, 120

local function say(...) print("ardour_test.lua:", ...) end
local function write_file(name, text) -- atomic: the shell polls for the name
  local tmp = work .. "/" .. name .. ".tmp"
  local f = assert(io.open(tmp, "w")); f:write(text); f:close()
  assert(os.rename(tmp, work .. "/" .. name))
end
local function wait_file(name, seconds)
  for _ = 1, seconds * 20 do
    local f = io.open(work .. "/" .. name, "r")
    if f then f:close(); return end
    sleep(0.05)
  end
  error("timed out after " .. seconds .. " s waiting for " .. name .. " from the shell")
end
local function only_track(list) local last; for t in list:iter() do last = t end; return last end
local function pianola()
  local proc
  if FORMAT == "vst3" then
    proc = ARDOUR.LuaAPI.new_plugin(Session, "Pianola", ARDOUR.PluginType.VST3, "")
    if proc:isnil() then error("Ardour does not find the VST3 plug-in Pianola (VST3_PATH=" .. tostring(os.getenv("VST3_PATH")) .. ")") end
  else
    proc = ARDOUR.LuaAPI.new_plugin(Session, URI, ARDOUR.PluginType.LV2, "")
    if proc:isnil() then error("Ardour does not find the LV2 plug-in " .. URI .. " (LV2_PATH=" .. tostring(os.getenv("LV2_PATH")) .. ")") end
  end
  return proc
end
-- the index Ardour's Lua API takes for the parameter with this label (it counts every control)
local function param_index(proc, label)
  local plug = proc:to_insert():plugin(0)
  for j = 0, plug:parameter_count() - 1 do
    local id = plug:nth_parameter(j, true)
    if plug:parameter_label(id) == label then return j end
  end
  error("the plug-in has no parameter " .. label)
end
-- a control changed before the roll, read back after the session is saved and loaded again
local SAVED_LABEL, SAVED_VALUE = "Velocity Scale", 0.75
local function ports(io_)
  local names = {}
  for i = 0, io_:n_ports():n_total() - 1 do names[#names + 1] = io_:nth(i):name() end
  return table.concat(names, ",")
end

assert(AudioEngine:set_backend("JACK", "ardour", ""), "cannot select Ardour's JACK backend")
ARDOUR.config():set_output_auto_connect(0)
ARDOUR.config():set_input_auto_connect(0)
if create_session(work .. "/session", "pianola", RATE) == nil then
  say("FAIL: cannot create the session in " .. work .. "/session (is the JACK server up?)")
  os.exit(1)
end

local ok, err = pcall(function()
  local tm = Temporal.TempoMap.fetch_writable()
  tm:set_tempo(Temporal.Tempo(BPM, BPM, 4), Temporal.timepos_t(0))
  tm:set_meter(Temporal.Meter(4, 4), Temporal.timepos_t(0))
  Temporal.TempoMap.update(tm)

  local midi1 = ARDOUR.ChanCount(ARDOUR.DataType("midi"), 1)
  -- strict I/O on, as Ardour's own default for new tracks: the track keeps its one MIDI output
  local track = only_track(Session:new_midi_track(midi1, midi1, true, ARDOUR.PluginInfo(), nil, nil, 1,
    "Pianola", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, false))
  assert(track, "cannot make a MIDI track")
  local proc = pianola()
  assert(track:add_processor_by_index(proc, 0, nil, true) == 0, "cannot insert the plug-in on the MIDI track")
  track:monitoring_control():set_value(ARDOUR.MonitorChoice.MonitorInput, PBD.GroupControlDisposition.NoGroup)
  assert(ARDOUR.LuaAPI.set_processor_param(proc, param_index(proc, SAVED_LABEL), SAVED_VALUE), "cannot set " .. SAVED_LABEL)
  local midi_count = proc:to_insert():get_count()

  write_file("ready", string.format("in=%s\nout=%s\nmidi_track_instances=%d\n",
    ports(track:input()), ports(track:output()), midi_count))
  say(string.format("the MIDI track runs %d instance(s) of the plug-in", midi_count))
  wait_file("connected", 60)

  Session:request_locate(0, false, ARDOUR.LocateTransportDisposition.MustStop, ARDOUR.TransportRequestSource.TRS_UI)
  sleep(0.2)
  Session:request_roll(ARDOUR.TransportRequestSource.TRS_UI)
  for _ = 1, 100 do if Session:transport_rolling() then break end; sleep(0.02) end
  assert(Session:transport_rolling(), "the transport does not roll")
  write_file("rolling", tostring(Session:transport_sample()) .. "\n")
  local target_samples = math.floor(roll_beats * RATE * 60 / BPM)
  local t0 = os.time()
  while Session:transport_sample() < target_samples and os.time() - t0 < roll_limit_seconds do sleep(0.05) end
  local reached = Session:transport_sample()
  if reached < target_samples then
    error(string.format("the transport reached sample %d of %d in %d s (a machine too loaded for JACK's cycles?)",
      reached, target_samples, roll_limit_seconds))
  end
  Session:request_stop(false, false, ARDOUR.TransportRequestSource.TRS_UI)
  sleep(0.5)
  write_file("stopped", tostring(Session:transport_sample()) .. "\n")
  Session:save_state("", false, false, false, false, false)
end)
close_session()
if not ok then say("FAIL: " .. tostring(err)); os.exit(1) end

-- 4. the session saved and loaded again: the changed control is back (the plug-in's state in the project)
ok, err = pcall(function()
  assert(load_session(work .. "/session", "pianola"), "cannot load the saved session")
  local route = Session:route_by_name("Pianola")
  assert(route and not route:isnil(), "the reloaded session has no track Pianola")
  local proc = route:nth_plugin(0)
  assert(not proc:isnil(), "the reloaded track has no plug-in")
  local value = ARDOUR.LuaAPI.get_processor_param(proc, param_index(proc, SAVED_LABEL), true)
  write_file("state", string.format("%s=%g\n", SAVED_LABEL, value))
end)
close_session()
if not ok then say("FAIL: " .. tostring(err)); os.exit(1) end
say("done")
quit()
