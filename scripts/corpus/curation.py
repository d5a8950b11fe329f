"""Pinned inputs and curation of the corpus (see scripts/build_corpus.py)."""

from __future__ import annotations

# --------------------------------------------------------------------------------------------
# Pinned inputs (Debian 12 "bookworm").
# --------------------------------------------------------------------------------------------

PACKAGES = {
    "gcompris-qt-data": (
        "3.1-2",
        "e9cf06ab2105529068df73085784e835d2ff03f870d2a8091f09125d40abac9f",
    ),
    "lomiri-wallpapers-16.04": (
        "20.04.0-2",
        "a99ff6a3bfe451e4cc0682ecb3cc82e71740626d59e4845ae34a0a0e45421eab",
    ),
    "lomiri-wallpapers-20.04": (
        "20.04.0-2",
        "d44e89b8473aafe64a5b678f014862dc31335aaaf18665c544d985d854f1a709",
    ),
}

MIN_SHORT_SIDE = 512  # candidates smaller than this (as shipped) are not considered ...
MIN_SHORT_SIDE_BENCH_ONLY = 200  # ... unless listed in BENCH_ONLY (benchmark photos only)
SHORT_SIDE = 640  # output short side (pictures between 512 and 640 px keep their size)
WEBP_QUALITY = 85
WEBP_METHOD = 6

CATEGORIES = (
    "people",
    "landscape",
    "animal",
    "building",
    "interior",
    "food",
    "plant",
    "object",
    "vehicle",
    "night",
    "other",
)

LICENCE_URLS = {
    "Public-Domain": "https://creativecommons.org/publicdomain/mark/1.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "CC-BY-2.0": "https://creativecommons.org/licenses/by/2.0/",
    "CC-BY-3.0": "https://creativecommons.org/licenses/by/3.0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-3.0": "https://creativecommons.org/licenses/by-sa/3.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
}

# --------------------------------------------------------------------------------------------
# Curation.  Keys: gcompris "<activity>/<path under the activity's resource/>",
# lomiri "<package>/<file name>".  Value: (output slug, category).
# --------------------------------------------------------------------------------------------

INCLUDE: dict[str, tuple[str, str]] = {
    # gcompris-qt-data, clickgame: underwater scenes (Wikimedia Commons)
    "clickgame/sea1.webp": ("underwater_baia_road", "landscape"),
    "clickgame/sea2.webp": ("underwater_portus_julius", "landscape"),
    "clickgame/sea3.webp": ("coral_reef_porthole", "animal"),
    "clickgame/sea4.webp": ("black_coral", "animal"),
    "clickgame/sea5.webp": ("underwater_cave_arch", "landscape"),
    "clickgame/sea6.webp": ("basket_starfish", "animal"),
    # erase: wildlife close-ups, 1920x1080
    "erase/alpaca.webp": ("alpaca", "animal"),
    "erase/bee.webp": ("bee_flower", "animal"),
    "erase/butterfly.webp": ("butterfly", "animal"),
    "erase/calf.webp": ("calf", "animal"),
    "erase/camels.webp": ("camels", "animal"),
    "erase/caterpillar.webp": ("caterpillar", "animal"),
    "erase/chamaeleon.webp": ("chameleon_branch", "animal"),
    "erase/cheetah.webp": ("cheetah", "animal"),
    "erase/crab.webp": ("crab", "animal"),
    "erase/dolphin.webp": ("dolphin", "animal"),
    "erase/flying_fox.webp": ("flying_fox", "animal"),
    "erase/gibbon.webp": ("gibbon", "animal"),
    "erase/giraffe.webp": ("giraffe_heads", "animal"),
    "erase/goat.webp": ("goat", "animal"),
    "erase/gorilla.webp": ("gorilla", "animal"),
    "erase/gosling.webp": ("gosling", "animal"),
    "erase/heron.webp": ("heron", "animal"),
    "erase/horse.webp": ("horse_ladakh", "animal"),
    "erase/kingfisher.webp": ("kingfisher", "animal"),
    "erase/kitten.webp": ("kitten", "animal"),
    "erase/long_nosed_monkey.webp": ("proboscis_monkey", "animal"),
    "erase/macaque.webp": ("macaque", "animal"),
    "erase/meerkats.webp": ("meerkats", "animal"),
    "erase/northern_harrier.webp": ("northern_harrier", "animal"),
    "erase/nubian_ibex.webp": ("nubian_ibex", "animal"),
    "erase/penguin.webp": ("penguin", "animal"),
    "erase/pika.webp": ("pika", "animal"),
    "erase/red_panda.webp": ("red_panda", "animal"),
    "erase/rhinoceros.webp": ("rhinoceros", "animal"),
    "erase/spoonbills.webp": ("spoonbills", "animal"),
    "erase/squirrel.webp": ("squirrel", "animal"),
    "erase/toucan.webp": ("toucan", "animal"),
    # explore_farm_animals
    "explore_farm_animals/animals/cat.webp": ("cat_playing", "animal"),
    "explore_farm_animals/animals/chicken.webp": ("chickens", "animal"),
    "explore_farm_animals/animals/cow.webp": ("cow", "animal"),
    "explore_farm_animals/animals/dog.webp": ("german_shepherd", "animal"),
    "explore_farm_animals/animals/duck.webp": ("duck", "animal"),
    "explore_farm_animals/animals/horse.webp": ("horses_nokota", "animal"),
    "explore_farm_animals/animals/owl.webp": ("owl", "animal"),
    "explore_farm_animals/animals/pig.webp": ("pig", "animal"),
    "explore_farm_animals/animals/sheep.webp": ("sheep", "animal"),
    # explore_monuments
    "explore_monuments/egypt/bentPyramid.webp": ("bent_pyramid", "building"),
    "explore_monuments/egypt/greatPyramidOfGiza.webp": ("great_pyramid_giza", "building"),
    "explore_monuments/egypt/meidumPyramid.webp": ("meidum_pyramid", "building"),
    "explore_monuments/egypt/redPyramid.webp": ("red_pyramid", "building"),
    "explore_monuments/france/arlesAmphitheater.webp": ("arles_amphitheatre", "building"),
    "explore_monuments/france/chateaudeChambord.webp": ("chateau_chambord", "building"),
    "explore_monuments/france/chateaudeChenonceau.webp": ("chateau_chenonceau", "building"),
    "explore_monuments/france/citedeCarcassonne.webp": ("carcassonne", "building"),
    "explore_monuments/france/eiffelTower.webp": ("eiffel_tower", "building"),
    "explore_monuments/france/montStMichel.webp": ("mont_saint_michel", "landscape"),
    "explore_monuments/france/palaisdesPapes.webp": ("palais_des_papes", "building"),
    "explore_monuments/france/pontduGard.webp": ("pont_du_gard", "building"),
    "explore_monuments/france/reimsCathedral.webp": ("reims_cathedral", "building"),
    "explore_monuments/france/rocamadour.webp": ("rocamadour", "building"),
    "explore_monuments/germany/aulaPalatina.webp": ("aula_palatina_trier", "building"),
    "explore_monuments/germany/berlinCathedral.webp": ("berlin_cathedral", "building"),
    "explore_monuments/germany/brandenburgGate.webp": ("brandenburg_gate_dusk", "night"),
    "explore_monuments/germany/neuschwansteinCastle.webp": ("neuschwanstein", "building"),
    "explore_monuments/germany/schwerinPalace.webp": ("schwerin_palace", "building"),
    "explore_monuments/germany/trierImperialBaths.webp": ("trier_imperial_baths", "building"),
    "explore_monuments/germany/wormsCathedral.webp": ("worms_cathedral_model", "building"),
    "explore_monuments/india/ajantaCave.webp": ("ajanta_caves", "landscape"),
    "explore_monuments/india/charminar.webp": ("charminar", "building"),
    "explore_monuments/india/gatewayofIndia.webp": ("gateway_of_india_night", "night"),
    "explore_monuments/india/goldenTemple.webp": ("golden_temple", "building"),
    "explore_monuments/india/greatStupa.webp": ("sanchi_stupa", "building"),
    "explore_monuments/india/hawaMahal.webp": ("hawa_mahal", "building"),
    "explore_monuments/india/konarkSunTemple.webp": ("konark_sun_temple", "building"),
    "explore_monuments/india/mysorePalace.webp": ("mysore_palace", "building"),
    "explore_monuments/india/qutubMinar.webp": ("qutub_minar", "building"),
    "explore_monuments/india/rangGhar.webp": ("rang_ghar", "building"),
    "explore_monuments/usa/canyondeChelly.webp": ("canyon_de_chelly", "landscape"),
    "explore_monuments/usa/castillodeSanMarcos.webp": ("castillo_san_marcos", "building"),
    "explore_monuments/usa/fortSumter.webp": ("fort_sumter", "building"),
    "explore_monuments/usa/georgeWashingtonBirthplace.webp": ("washington_birthplace", "building"),
    "explore_monuments/usa/lincolnMemorial.webp": ("lincoln_memorial_night", "night"),
    "explore_monuments/usa/mountRushmore.webp": ("mount_rushmore", "other"),
    "explore_monuments/usa/navajo.webp": ("betatakin_cliff_dwellings", "landscape"),
    "explore_monuments/usa/statueofLiberty.webp": ("statue_of_liberty", "other"),
    "explore_monuments/wonders/chichenItza.webp": ("chichen_itza", "building"),
    "explore_monuments/wonders/christTheRedeemer.webp": ("christ_redeemer_rio", "landscape"),
    "explore_monuments/wonders/colosseum.webp": ("colosseum", "building"),
    "explore_monuments/wonders/greatWallofChina.webp": ("great_wall", "landscape"),
    "explore_monuments/wonders/machuPicchu.webp": ("machu_picchu", "landscape"),
    "explore_monuments/wonders/petra.webp": ("petra", "building"),
    "explore_monuments/wonders/tajMahal.webp": ("taj_mahal", "building"),
    # explore_world_animals
    "explore_world_animals/animals/bison.webp": ("bison", "animal"),
    "explore_world_animals/animals/chameleon.webp": ("garden_lizard", "animal"),
    "explore_world_animals/animals/dragon.webp": ("komodo_dragon", "animal"),
    "explore_world_animals/animals/giraffe.webp": ("giraffes_courtship", "animal"),
    "explore_world_animals/animals/hedgehog.webp": ("hedgehog", "animal"),
    "explore_world_animals/animals/jaguar.webp": ("jaguars", "animal"),
    "explore_world_animals/animals/kangaroo.webp": ("kangaroo_joey", "animal"),
    "explore_world_animals/animals/koala.webp": ("koala", "animal"),
    "explore_world_animals/animals/lemur.webp": ("lemurs", "animal"),
    "explore_world_animals/animals/moose.webp": ("moose", "animal"),
    "explore_world_animals/animals/narwhal.webp": ("narwhals", "animal"),
    "explore_world_animals/animals/panda.webp": ("giant_panda", "animal"),
    "explore_world_animals/animals/polar_bear.webp": ("polar_bear", "animal"),
    "explore_world_animals/animals/scarlet_macaw.webp": ("scarlet_macaw", "animal"),
    # explore_world_music: musicians and instruments
    "explore_world_music/music/africa.webp": ("bata_drums", "object"),
    "explore_world_music/music/america.webp": ("drum_kit_guitar", "object"),
    "explore_world_music/music/australia.webp": ("didgeridoo_player", "people"),
    "explore_world_music/music/italy.webp": ("opera_stage", "people"),
    "explore_world_music/music/japan.webp": ("taiko_festival_night", "night"),
    "explore_world_music/music/mexico.webp": ("mariachi", "people"),
    "explore_world_music/music/orchestra.webp": ("baroque_orchestra", "people"),
    # lomiri-wallpapers (photographs only)
    "lomiri-wallpapers-16.04/Picture_1A_by_freespace.jpg": ("paint_brushes", "object"),
    "lomiri-wallpapers-16.04/Wine_by_Jakkub_Mede.jpg": ("living_room_wine", "interior"),
    "lomiri-wallpapers-16.04/seeding_by_Clements_Engelhardt.jpg": ("dandelion_seeds", "plant"),
    "lomiri-wallpapers-16.04/aitzgorri_by_Aitzol_Berasategi.jpg": ("aitzgorri_autumn", "landscape"),
    "lomiri-wallpapers-16.04/Dragonfly_by_Bolly.jpg": ("tree_branch_sky", "plant"),
    "lomiri-wallpapers-16.04/friends_by_Aitzol_Berasategi.jpg": ("dogs_at_window", "animal"),
    "lomiri-wallpapers-16.04/sunset_by_Aitzol_Berasategi.jpg": ("mountain_sunset", "landscape"),
    "lomiri-wallpapers-16.04/picosdeeuropa_by_Aitzol_Berasategi.jpg": (
        "picos_de_europa",
        "landscape",
    ),
    "lomiri-wallpapers-16.04/Picture_0B_by_freespace.jpg": ("fig_in_bowl", "food"),
    "lomiri-wallpapers-16.04/life_by_Aitzol_Berasategi.jpg": ("forest_stream", "landscape"),
    "lomiri-wallpapers-16.04/Bridge_by_Sander_Klootwijk.jpg": ("bridge_cables_sky", "other"),
    "lomiri-wallpapers-20.04/Kleiber_by_Lukas_Baubkus.jpg": ("nuthatch", "animal"),
}

# Small pictures (short side 200-511 px as shipped) kept as *bench-only* photos: scenes the corpus
# lacks - studio shots of objects on white or black, underwater shots dominated by one colour,
# windmills, dams, a night scene. No stage of the pipeline reads them (SOURCES.csv `role` "bench");
# `python -m lutml.bench trust` grades frame sets of them and checks that the trust model does not
# sell their content as a look (issue 21). As training or calibration photos they helped nothing
# (docs/trust.md). Looked at on a contact sheet; dropped: photos without a source (alphabets,
# numbers, the `details` and `digital_electricity` pictures), a ball graphic, and the
# `categorization` monuments (smaller copies or other shots of monuments the corpus holds).
BENCH_ONLY: dict[str, tuple[str, str]] = {
    "categorization/images/fishes/fish1.webp": ("small_fish_1", "animal"),  # Pomacanthus arcuatus 1
    "categorization/images/fishes/fish10.webp": ("small_fish_10", "animal"),  # Anthia goldfish
    "categorization/images/fishes/fish11.webp": (
        "small_fish_11",
        "animal",
    ),  # Golden trout fish sea world
    "categorization/images/fishes/fish12.webp": (
        "small_fish_12",
        "animal",
    ),  # Pagellus acarne 04-08-04
    "categorization/images/fishes/fish13.webp": (
        "small_fish_13",
        "animal",
    ),  # Symphodus ocellatus 24-05-07 (Stefano Guerrieri)
    "categorization/images/fishes/fish14.webp": (
        "small_fish_14",
        "animal",
    ),  # Anthias anthias Stefano Guerrieri1
    "categorization/images/fishes/fish15.webp": (
        "small_fish_15",
        "animal",
    ),  # Labrus Merula Tuscany
    "categorization/images/fishes/fish16.webp": (
        "small_fish_16",
        "animal",
    ),  # Pagellus erythrinus 27-09-05
    "categorization/images/fishes/fish18.webp": ("small_fish_18", "animal"),  # Capros aper Sardinia
    "categorization/images/fishes/fish19.webp": (
        "small_fish_19",
        "animal",
    ),  # Pagrus pagrus 20-10-06
    "categorization/images/fishes/fish2.webp": (
        "small_fish_2",
        "animal",
    ),  # Atherina hepsetus Stefano Guerrieri 1
    "categorization/images/fishes/fish20.webp": ("small_fish_20", "animal"),  # Oedalechilus labeo
    "categorization/images/fishes/fish21.webp": (
        "small_fish_21",
        "animal",
    ),  # Trachinotus ovatus Alonissos
    "categorization/images/fishes/fish22.webp": (
        "small_fish_22",
        "animal",
    ),  # Symphodus tinca femmina Muggia
    "categorization/images/fishes/fish23.webp": (
        "small_fish_23",
        "animal",
    ),  # Coris julis 14-07-05 female
    "categorization/images/fishes/fish24.webp": (
        "small_fish_24",
        "animal",
    ),  # Coris julis 24-05-07 male
    "categorization/images/fishes/fish25.webp": ("small_fish_25", "animal"),  # Goldfisch 1
    "categorization/images/fishes/fish26.webp": (
        "small_fish_26",
        "animal",
    ),  # Atherina hepsetus Stefano Guerrieri
    "categorization/images/fishes/fish27.webp": (
        "small_fish_27",
        "animal",
    ),  # Trachinus draco Stefano Guerrieri
    "categorization/images/fishes/fish28.webp": (
        "small_fish_28",
        "animal",
    ),  # Spotted Puffer Fish. (13421084473)
    "categorization/images/fishes/fish3.webp": (
        "small_fish_3",
        "animal",
    ),  # Placidochromis electra Aquarium fish stock photo
    "categorization/images/fishes/fish4.webp": ("small_fish_4", "animal"),  # YellowPerch
    "categorization/images/fishes/fish5.webp": (
        "small_fish_5",
        "animal",
    ),  # Anthias anthias Stefano Guerrieri
    "categorization/images/fishes/fish6.webp": (
        "small_fish_6",
        "animal",
    ),  # Discus fish (10765052495)
    "categorization/images/fishes/fish7.webp": (
        "small_fish_7",
        "animal",
    ),  # Black sea mullus barbatus ponticus 01
    "categorization/images/fishes/fish9.webp": ("small_fish_9", "animal"),  # Common clownfish
    "categorization/images/monuments/zimniPalace.webp": (
        "winter_palace_night",
        "night",
    ),  # WinterPalactNight-center
    "categorization/images/others/baseball.webp": ("small_baseball", "object"),  # Baseball ball
    "categorization/images/others/blackslate.webp": (
        "small_blackslate",
        "object",
    ),  # Black(green)board
    "categorization/images/others/bucket.webp": (
        "small_bucket",
        "object",
    ),  # Milk pail, America, 1800s, pine, ash - Concord Museum - Concord, MA - DSC05807
    "categorization/images/others/buffetset.webp": (
        "small_buffetset",
        "object",
    ),  # Kop en schotel beschilderd met vlinders en libellen, BK-15423-J
    "categorization/images/others/bulb.webp": ("small_bulb", "object"),  # Philips LED bulb
    "categorization/images/others/chair.webp": ("small_chair", "object"),  # Gabriel 00
    "categorization/images/others/cup.webp": ("small_cup", "object"),  # Fermanagh cup makffm 13817
    "categorization/images/others/igloo.webp": (
        "small_igloo",
        "building",
    ),  # Igloo Cafe Oulu 20180330 02
    "categorization/images/others/knife.webp": ("small_knife", "object"),  # Folke Arstrom Facette
    "categorization/images/others/pan.webp": ("small_pan", "object"),  # Pfanne (Gusseisen)
    "categorization/images/others/pillow.webp": (
        "small_pillow",
        "object",
    ),  # 2014-04-22 IMG 7242 최광모
    "categorization/images/others/plate.webp": ("small_plate", "object"),  # MET DP324688
    "categorization/images/others/spoons.webp": ("small_spoons", "object"),  # Spoons
    "categorization/images/others/weighingMachine.webp": (
        "small_weighing_machine",
        "object",
    ),  # Balance Scaltec
    "categorization/images/renewable/dam1.webp": ("small_dam1", "landscape"),  # Amagasedam-d6ebeb2d
    "categorization/images/renewable/dam2.webp": ("small_dam2", "landscape"),  # Bekes-dam duzzaszto
    "categorization/images/renewable/dam3.webp": ("small_dam3", "landscape"),  # Iedigawa dam
    "categorization/images/renewable/dam4.webp": (
        "small_dam4",
        "landscape",
    ),  # 1644Don Joaquin Dam 07
    "categorization/images/renewable/dam5.webp": (
        "small_dam5",
        "landscape",
    ),  # Caruachi Dam in Venezuela
    "categorization/images/renewable/geothermal.webp": (
        "small_geothermal",
        "landscape",
    ),  # Iceland Geothermal facility
    "categorization/images/renewable/solar1.webp": (
        "small_solar1",
        "object",
    ),  # "Sungril" solar cooker photo1
    "categorization/images/renewable/solar2.webp": ("small_solar2", "object"),  # Sunčeva pećnica
    "categorization/images/renewable/solar3.webp": (
        "small_solar3",
        "object",
    ),  # Fours solaires ULOG sun oven horno solar
    "categorization/images/renewable/solar4.webp": (
        "small_solar4",
        "object",
    ),  # Solar tracker in Lixouri
    "categorization/images/renewable/solar5.webp": ("small_solar5", "object"),  # SolarCellPanel
    "categorization/images/renewable/solar7.webp": ("small_solar7", "object"),  # Solar Panel
    "categorization/images/renewable/solar8.webp": (
        "small_solar8",
        "object",
    ),  # Solar collectors Northern Germany
    "categorization/images/renewable/windmill.webp": (
        "small_windmill0",
        "building",
    ),  # Chesterton Windmill
    "categorization/images/renewable/windmill1.webp": (
        "small_windmill1",
        "building",
    ),  # Windmill harbour Rhodes
    "categorization/images/renewable/windmill11.webp": (
        "small_windmill11",
        "building",
    ),  # Windmill Dudutki 04
    "categorization/images/renewable/windmill12.webp": (
        "small_windmill12",
        "building",
    ),  # Windmill in Khokhlovka
    "categorization/images/renewable/windmill13.webp": (
        "small_windmill13",
        "building",
    ),  # Dutch windmill at Kinderdijk pic43
    "categorization/images/renewable/windmill14.webp": (
        "small_windmill14",
        "building",
    ),  # Windmill Linda 1
    "categorization/images/renewable/windmill15.webp": (
        "small_windmill15",
        "building",
    ),  # Windmill Altenbeichlingen 1
    "categorization/images/renewable/windmill2.webp": (
        "small_windmill2",
        "building",
    ),  # Bekonscot model windmill
    "categorization/images/renewable/windmill3.webp": (
        "small_windmill3",
        "building",
    ),  # Mykonos windmills
    "categorization/images/renewable/windmill4.webp": (
        "small_windmill4",
        "building",
    ),  # Windmill Podgoschi
    "categorization/images/renewable/windmill5.webp": (
        "small_windmill5",
        "building",
    ),  # Windmill Schillingstedt
    "categorization/images/renewable/windmill7.webp": (
        "small_windmill7",
        "building",
    ),  # Nutley Windmill 2
    "categorization/images/renewable/windmill8.webp": (
        "small_windmill8",
        "building",
    ),  # Portugese windmill1
    "categorization/images/renewable/windmill9.webp": (
        "small_windmill9",
        "building",
    ),  # Windmill Linda 2
    "categorization/images/tools/cuttingTool.webp": (
        "small_cutting_tool",
        "object",
    ),  # Cutting tool 1
    "categorization/images/tools/hammer1.webp": ("small_hammer1", "object"),  # None
    "categorization/images/tools/hammer2.webp": ("small_hammer2", "object"),  # None
    "categorization/images/tools/hammer3.webp": ("small_hammer3", "object"),  # None
    "categorization/images/tools/hammer4.webp": ("small_hammer4", "object"),  # None
    "categorization/images/tools/hammer6.webp": (
        "small_hammer6",
        "object",
    ),  # Hammer rückschlagfrei
    "categorization/images/tools/hammer7.webp": (
        "small_hammer7",
        "object",
    ),  # Armorer's Hammer MET 12.230.2 001feb2014
    "categorization/images/tools/hammer8.webp": ("small_hammer8", "object"),  # None
    "categorization/images/tools/hammer9.webp": ("small_hammer9", "object"),  # None
    "categorization/images/tools/measuringTape1.webp": (
        "small_measuring_tape1",
        "object",
    ),  # Measuring-tape
    "categorization/images/tools/measuringTape2.webp": (
        "small_measuring_tape2",
        "object",
    ),  # Retractable twenty meter tape measure 1
    "categorization/images/tools/measuringTape3.webp": ("small_measuring_tape3", "object"),  # None
    "categorization/images/tools/measuringTape4.webp": ("small_measuring_tape4", "object"),  # None
    "categorization/images/tools/measuringTape5.webp": ("small_measuring_tape5", "object"),  # None
    "categorization/images/tools/measuringTape6.webp": (
        "small_measuring_tape6",
        "object",
    ),  # Massband
    "categorization/images/tools/multimeter2.webp": (
        "small_multimeter2",
        "object",
    ),  # MultimeterShortTimeDuty
    "categorization/images/tools/nailCutter.webp": ("small_nail_cutter", "object"),  # Cortaunyas
    "categorization/images/tools/plier4.webp": ("small_plier4", "object"),  # Ploskogubcy Pliers
    "categorization/images/tools/scissors2.webp": (
        "small_scissors2",
        "object",
    ),  # Nozyce stajenne-do strzyzenia grzyw konskich
    "categorization/images/tools/scissors3.webp": (
        "small_scissors3",
        "object",
    ),  # Surgical scissors 05
    "categorization/images/tools/screwDriver1.webp": (
        "small_screw_driver1",
        "object",
    ),  # Philips plus or cross screwdriver on table
    "categorization/images/tools/screwDriver2.webp": (
        "small_screw_driver2",
        "object",
    ),  # Screwdriver Phillips
    "categorization/images/tools/screwDriver3.webp": (
        "small_screw_driver3",
        "object",
    ),  # Torque-screw-driver
    "categorization/images/tools/sickle.webp": ("small_sickle", "object"),  # Sickle sigd
    "categorization/images/tools/sideCutter1.webp": (
        "small_side_cutter1",
        "object",
    ),  # Carbon steel diagonal side cutters
    "categorization/images/tools/spray.webp": ("small_spray", "object"),  # None
    "categorization/images/tools/wrench.webp": (
        "small_wrench",
        "object",
    ),  # AdjustableWrenchWhiteBackground
    "explore_monuments/india/victoriaMemorial.webp": (
        "victoria_memorial_small",
        "building",
    ),  # Victoria Memorial Calcutta
    "explore_monuments/usa/cabrillo.webp": (
        "cabrillo_monument",
        "building",
    ),  # Cabrillo National Monument. California Historical Landmark ^56 - Flickr - allyndon
    "explore_world_animals/animals/crocodile.webp": (
        "saltwater_crocodile",
        "animal",
    ),  # Saltwater Crocodile on a river bank (cropped)
    "explore_world_music/music/ireland.webp": (
        "irish_musicians",
        "people",
    ),  # Lunny irvine o flynn glackin
}

# Candidates (>= 512 px, free licence) dropped after looking at them, with the reason.
EXCLUDE: dict[str, str] = {
    "erase/swans.webp": "grayscale in effect (white swans on black water, mean chroma ~1/255)",
    "explore_monuments/usa/castleClinton.webp": "black-and-white aerial photograph (1961)",
    "explore_world_music/music/middleeast.webp": "museum object on a large white cut-out background",
    "lomiri-wallpapers-16.04/greentock_by_Peter_Nerlich.jpg": "nearly grayscale stylised product shot",
    "lomiri-wallpapers-16.04/free_by_Peter_Nerlich.jpg": "nearly grayscale (mean chroma ~7/255)",
    "lomiri-wallpapers-16.04/analogpattern_by_Peter_Nerlich.jpg": "abstract texture, not a scene",
    "lomiri-wallpapers-16.04/umang_by_Abhishek_Mudgal.jpg": "computer-generated abstract render",
    "lomiri-wallpapers-20.04/Fossa_by_Jasper_Roks.jpg": "computer-generated render",
    "lomiri-wallpapers-20.04/Infinite-Sea_by_Aury88.jpg": "digital composite / render",
    "lomiri-wallpapers-20.04/Painting-Colors_by__herobrine7gamer.jpg": "graphic design, not a photo",
}

# Whole groups dropped without per-file review, with the reason.
EXCLUDE_PREFIXES: dict[str, str] = {
    "lang/words_sample/": "drawings (clipart on transparent background), no per-file licence",
    "solar_system/": "planet renders on transparent background",
    "hangman/": "fog texture, not a photo",
}

# The gcompris README of explore_monuments misspells one file name.
README_ALIASES = {
    "explore_monuments/germany/audaPalatina.webp": "explore_monuments/germany/aulaPalatina.webp",
}
