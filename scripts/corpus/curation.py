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

MIN_SHORT_SIDE = 512  # candidates smaller than this (as shipped) are not considered
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
