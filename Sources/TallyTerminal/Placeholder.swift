import TallyUI
