"""First and last names for demo members, Hebrew and English, so both scripts show up on every screen."""

FIRST_EN = ["Noa", "Daniel", "Maya", "Yosef", "Tamar", "David", "Shira", "Ariel", "Lior", "Michael", "Yael", "Adam",
            "Rachel", "Eitan", "Sarah", "Omer", "Hannah", "Jonathan", "Avigail", "Ben", "Emma", "Liam", "Olivia"]
LAST_EN = ["Cohen", "Levi", "Mizrahi", "Peretz", "Biton", "Friedman", "Katz", "Azoulay", "Goldberg", "Shapiro",
           "Smith", "Brown", "Green", "Klein", "Rosen", "Weiss", "Avraham", "Dahan", "Ohana", "Segal"]
FIRST_HE = ["נועה", "דניאל", "מאיה", "יוסף", "תמר", "דוד", "שירה", "אריאל", "ליאור", "מיכאל", "יעל", "אדם", "רחל",
            "איתן", "שרה", "עומר", "חנה", "יונתן", "אביגיל", "רוני"]
LAST_HE = ["כהן", "לוי", "מזרחי", "פרץ", "ביטון", "פרידמן", "כץ", "אזולאי", "גולדברג", "שפירא", "אברהם", "דהן",
           "אוחנה", "סגל", "רוזן", "וייס"]
