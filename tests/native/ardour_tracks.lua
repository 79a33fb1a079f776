-- Part of tests/native/ardour_test.sh, run by ardour7-lua on Ardour's "None (Dummy)" backend (no
-- JACK: nothing is played here). It inserts the plug-in on a stereo audio track, a mono audio track
-- and a MIDI track, and writes, for each, how many instances Ardour runs (it replicates a plug-in
-- whose audio ports do not match the track's channels) and the track's output ports, to the file
-- "tracks" in ARDOUR_TEST_WORK, one line per track: name instances audio_outputs midi_outputs.
-- Any error ends the run with exit code 1 and one line "ardour_tracks.lua: FAIL: ...".
local URI = "https://pianola.dev/plugins/pianola"
local work = assert(os.getenv("ARDOUR_TEST_WORK"), "ARDOUR_TEST_WORK is not set")
local function say(...) print("ardour_tracks.lua:", ...) end

assert(AudioEngine:set_backend("None (Dummy)", "", ""), "cannot select Ardour's dummy backend")
ARDOUR.config():set_output_auto_connect(0)
ARDOUR.config():set_input_auto_connect(0)
if create_session(work .. "/tracks-session", "tracks", 48000) == nil then
  say("FAIL: cannot create the session in " .. work .. "/tracks-session")
  os.exit(1)
end

local lines = {}
local ok, err = pcall(function()
  local function only(list) local last; for t in list:iter() do last = t end; return last end
  local function insert(track, name)
    assert(track, "cannot make the track " .. name)
    local proc = ARDOUR.LuaAPI.new_plugin(Session, URI, ARDOUR.PluginType.LV2, "")
    if proc:isnil() then error("Ardour does not find the LV2 plug-in " .. URI) end
    assert(track:add_processor_by_index(proc, 0, nil, true) == 0, "cannot insert the plug-in on " .. name)
    local outs = track:output():n_ports()
    lines[#lines + 1] = string.format("%s %d %d %d", name, proc:to_insert():get_count(),
      outs:n_audio(), outs:n_midi())
  end
  -- tracks as ardour7-lua makes them (strict I/O off); input auto-connect off (Ardour 7.3 can
  -- deadlock in it while processors are added)
  insert(only(Session:new_audio_track(2, 2, nil, 1, "Stereo", ARDOUR.PresentationInfo.max_order,
    ARDOUR.TrackMode.Normal, false, false)), "stereo")
  insert(only(Session:new_audio_track(1, 1, nil, 1, "Mono", ARDOUR.PresentationInfo.max_order,
    ARDOUR.TrackMode.Normal, false, false)), "mono")
  local midi1 = ARDOUR.ChanCount(ARDOUR.DataType("midi"), 1)
  insert(only(Session:new_midi_track(midi1, midi1, true, ARDOUR.PluginInfo(), nil, nil, 1,
    "Midi", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, false)), "midi")
end)
close_session()
if not ok then say("FAIL: " .. tostring(err)); os.exit(1) end
local f = assert(io.open(work .. "/tracks", "w"))
f:write(table.concat(lines, "\n") .. "\n")
f:close()
say(table.concat(lines, "; "))
quit()
